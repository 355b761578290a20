/** The messages row of both backends. */
import type { ChatMessageRecord, MessageType, SpecialType } from "../../domain/message.ts";

export interface MessageRow {
  id: number;
  session_id: number;
  type: MessageType;
  message: string;
  author: string;
  read_by_customer: number;
  special_type: SpecialType;
  special_param: string;
  when_posted: number;
}

export function toMessage(row: MessageRow): ChatMessageRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    type: row.type,
    message: row.message,
    author: row.author,
    readByCustomer: row.read_by_customer,
    specialType: row.special_type,
    specialParam: row.special_param,
    whenPosted: row.when_posted,
  };
}
