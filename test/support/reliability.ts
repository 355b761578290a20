/** Shared pieces of the reliability tests: seed files, SOAP envelopes, a save over each protocol. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { basic } from "./server.ts";

export const NS88 = "http://www.superoffice.net/ws/crm/NetServer/Services88";
export const ADMIN_PASSWORD = "admin-pw";
export const ADMIN_AUTH = basic("admin", ADMIN_PASSWORD);

/** A seed file: admin (id 1) and agents 2..users without passwords, none present. */
export function writeSeed(dir: string, users: number, extra: Record<string, unknown> = {}): string {
  const list: Record<string, unknown>[] = [
    { id: 1, username: "admin", password: ADMIN_PASSWORD, admin: true },
  ];
  for (let id = 2; id <= users; id++) list.push({ id, username: `agent${id}`, admin: false });
  const path = join(dir, "seed.json");
  writeFileSync(path, JSON.stringify({ users: list, ...extra }));
  return path;
}

export function soapEnvelope(body: string, ticket?: string): string {
  const credentials = ticket ? `<c:Credentials><c:Ticket>${ticket}</c:Ticket></c:Credentials>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:c="${NS88}"><s:Header>${credentials}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

export function soapSaveBody(entries: { userId: number; present: boolean }[]): string {
  const items = entries
    .map(
      (e) =>
        `<c:ChatPresence><c:UserId>${e.userId}</c:UserId><c:Present>${e.present}</c:Present></c:ChatPresence>`,
    )
    .join("");
  return `<c:SaveChatPresence><c:ChatPresence>${items}</c:ChatPresence></c:SaveChatPresence>`;
}

const SOAP_TYPE = { "Content-Type": "application/soap+xml; charset=utf-8" };

/** A ticket from SoPrincipal.svc AuthenticateUsernamePassword, or null when refused. */
export async function soapSignIn(
  baseUrl: string,
  username: string,
  password: string,
): Promise<{ status: number; text: string; ticket: string | null }> {
  const response = await fetch(`${baseUrl}/Remote/Services88/SoPrincipal.svc`, {
    method: "POST",
    headers: SOAP_TYPE,
    body: soapEnvelope(
      `<c:AuthenticateUsernamePassword><c:UserName>${username}</c:UserName><c:Password>${password}</c:Password></c:AuthenticateUsernamePassword>`,
    ),
  });
  const text = await response.text();
  return { status: response.status, text, ticket: /<[^>]*Ticket>([^<]+)</.exec(text)?.[1] ?? null };
}

/** True when the SOAP save was acknowledged (a response with Succeeded true). */
export async function soapSave(
  baseUrl: string,
  ticket: string,
  userId: number,
  present: boolean,
): Promise<boolean> {
  const response = await fetch(`${baseUrl}/Remote/Services88/Chat.svc`, {
    method: "POST",
    headers: SOAP_TYPE,
    body: soapEnvelope(soapSaveBody([{ userId, present }]), ticket),
  });
  const text = await response.text();
  return response.status === 200 && /Succeeded>true</.test(text);
}

/** REST SaveAll; returns the status (204 = acknowledged). */
export async function restSave(
  baseUrl: string,
  authorization: string,
  userId: number,
  present: boolean,
): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/Presence/SaveAll`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify([{ UserId: userId, Present: present }]),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Agents SaveChatPresence; returns the status (204 = acknowledged). */
export async function agentsSave(
  baseUrl: string,
  authorization: string,
  userId: number,
  present: boolean,
): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/Agents/Chat/SaveChatPresence`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify({ ChatPresence: [{ UserId: userId, Present: present }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function presentMap(
  baseUrl: string,
  authorization = ADMIN_AUTH,
): Promise<Map<number, boolean>> {
  const response = await fetch(`${baseUrl}/api/v1/Presence/GetAll`, {
    headers: { Authorization: authorization },
  });
  const list = (await response.json()) as { UserId: number; Present: boolean }[];
  return new Map(list.map((p) => [p.UserId, p.Present]));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
