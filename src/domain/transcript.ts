/**
 * A chat transcript as plain text or as an HTML fragment. Every value that comes from a
 * message (text, author, special parameter) is escaped in HTML, and nothing becomes markup
 * or a link: a Url message shows its address as text, so a `javascript:` URL is inert.
 */
import type { ChatMessageRecord } from "./message.ts";

export type TranscriptFormat = "text" | "html";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** `2025-11-26 12:06:56 UTC`: readable, unambiguous, the same on every server. */
export function transcriptTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** What a Special message shows: its kind, its text and its parameter, when present. */
function specialText(message: ChatMessageRecord): string {
  const parts = [message.specialType, message.message, message.specialParam].filter(Boolean);
  return parts.join(": ");
}

const CSS_CLASS = { ToCustomer: "to-customer", ToUser: "to-user", Special: "special" } as const;

/** Who wrote it: the Author, or which side it came from when nobody was named. */
function authorOf(message: ChatMessageRecord): string {
  return message.author || (message.type === "ToUser" ? "Customer" : "Agent");
}

function textLine(message: ChatMessageRecord): string {
  const time = transcriptTime(message.whenPosted);
  // Later lines of a message are indented, so every line of the transcript starts a message
  // or continues the one above: a message cannot forge a line that looks like another's.
  const indent = (text: string) => text.replace(/\r\n?|\n/g, "\n    ");
  if (message.type === "Special") return `${time} * ${indent(specialText(message))}`;
  return `${time} ${indent(authorOf(message))}: ${indent(message.message)}`;
}

function htmlLine(message: ChatMessageRecord): string {
  const time = `<time datetime="${new Date(message.whenPosted).toISOString()}">${transcriptTime(
    message.whenPosted,
  )}</time>`;
  const kind = CSS_CLASS[message.type as keyof typeof CSS_CLASS] ?? "special";
  const text = (value: string) => escapeHtml(value).replace(/\r\n?|\n/g, "<br>");
  if (message.type === "Special") {
    return `<p class="chat-message ${kind}">${time} <span class="text">${text(specialText(message))}</span></p>`;
  }
  return `<p class="chat-message ${kind}">${time} <b class="author">${text(authorOf(message))}</b>: <span class="text">${text(message.message)}</span></p>`;
}

/** One message of the transcript, ending with a line break. */
export function transcriptEntry(message: ChatMessageRecord, format: TranscriptFormat): string {
  return `${format === "html" ? htmlLine(message) : textLine(message)}\n`;
}

/** What comes before and after the entries. */
export function transcriptFrame(format: TranscriptFormat): { open: string; close: string } {
  return format === "html"
    ? { open: '<div class="chat-transcript">\n', close: "</div>\n" }
    : { open: "", close: "" };
}

/** A whole transcript of a few messages at once (the service renders long ones page by page). */
export function renderTranscript(
  messages: readonly ChatMessageRecord[],
  format: TranscriptFormat,
): string {
  const { open, close } = transcriptFrame(format);
  return open + messages.map((m) => transcriptEntry(m, format)).join("") + close;
}
