/**
 * ChatTopicEntity on the wire: its schema (binding and /openapi.json), the stored topic as a
 * carrier, and a saved carrier as a stored topic. ChatOpeningHours is read into the domain
 * form (seconds after midnight, a time-zone code) and written back as "HH:mm:ss".
 */
import type { FastifyRequest } from "fastify";
import {
  findTimeZone,
  formatTimeOfDay,
  type OpeningHours,
  parseTimeOfDay,
  timeZoneCode,
  WEEKDAYS,
} from "../../domain/opening-hours.ts";
import type { ChatTopicRecord, TopicInput } from "../../domain/topic.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { defaultOf, type ObjectSchema, propertyOf, type Schema } from "../codecs/schema.ts";
import { withSelfLink } from "./render.ts";

const int = (description = ""): Schema => ({ type: "integer", format: "int32", description });
const text = (description = ""): Schema => ({ type: "string", description });
const bool = (description = ""): Schema => ({ type: "boolean", description });
const object = (title: string, properties: Record<string, Schema>): ObjectSchema => ({
  type: "object",
  title,
  properties,
});

const LIST_ITEM = { Id: int("The list item id"), Value: text("Its text"), Tooltip: text() };

const TIME_ZONE_SCHEMA = object("TimeZoneData", {
  TZLocationID: int("Id in the README's table; used only when TZLocationCode is empty"),
  Name: text("Location name"),
  TZLocationCode: text(
    "A code from the README's table (NO, SE, US-NY …) or, as an extension, an IANA zone name such as Europe/Oslo; empty is UTC",
  ),
  TZLocationCities: text("Cities of the location"),
  IsoNumber: int("ISO 3166 country number"),
});

const HOURS_PROPERTIES: Record<string, Schema> = { TzLocation: TIME_ZONE_SCHEMA };
for (const day of WEEKDAYS) {
  HOURS_PROPERTIES[`${day}Enabled`] = bool(`Whether open on ${day}`);
  HOURS_PROPERTIES[`${day}Start`] = text(
    "Opening time, HH:mm:ss (an ISO 8601 duration is accepted)",
  );
  HOURS_PROPERTIES[`${day}Stop`] = text(
    "Closing time, HH:mm:ss; before the start runs past midnight",
  );
}
Object.assign(HOURS_PROPERTIES, {
  UseLunchHours: bool("Whether to close for lunch"),
  LunchStart: text("Lunch starts, HH:mm:ss"),
  LunchStop: text("Lunch ends, HH:mm:ss"),
});
const OPENING_HOURS_SCHEMA = object("ChatOpeningHours", HOURS_PROPERTIES);

/**
 * ChatTopicEntity fields kept for clients as saved, not interpreted by this server, in three
 * runs so that the entity lists every property in the contract's order (WSDL and OpenAPI).
 */
const SETTINGS_BEFORE_ACCEPT: Record<string, Schema> = {
  Language: object("CustomerLanguage", LIST_ITEM),
};
const SETTINGS_BEFORE_HOURS: Record<string, Schema> = {
  SecondsPrAccept: int(
    "Mean seconds from queued (WhenRequested) to taken (WhenStarted) over the topic's sessions; as saved until one has been taken",
  ),
  AlertRecipient: text(),
  AlertTemplate: object("ReplyTemplate", {
    ReplyTemplateId: int(),
    Name: text(),
    Description: text(),
    FolderId: int(),
  }),
  CollectConsent: bool(),
  BadgeHeader: text(),
  CustomQueueTextEnabled: bool(),
  CustomQueueText: text(),
  WarnNewChatMinutes: int(),
  WarnManagerNewChatMinutes: int(),
  TicketEnabled: bool(),
  TicketCategory: object("TicketCategory", LIST_ITEM),
  TicketPriority: object("TicketPriority", LIST_ITEM),
};
const SETTINGS_AFTER_HOURS: Record<string, Schema> = {
  Widget: object("ChatWidgetSettings", {
    AutoFaqEnabled: bool(),
    AutoFaqCategory: object("KbCategory", {
      KbCategoryId: int(),
      Name: text(),
      Description: text(),
      Fullname: text(),
      ParentId: int(),
      SortOrder: int(),
    }),
    PreFormEnabled: bool(),
    PreFormMessage: text(),
    RequiredFields: text("None, Email, Name, Company, Phone, Country (comma-separated)"),
    PostFormEnabled: bool(),
    PostFormHeader: text(),
    PostFormMessage: text(),
    PostTranscriptEnabled: bool(),
    LanguageIsoCode: text(),
    Size: text("Normal or Large"),
    Theme: text("Classic or Modern"),
    Color: text(),
    BadgeColor: text(),
    BadgeTextColor: text(),
    CustMsgColor: text(),
    CustMsgTextColor: text(),
    AgentMsgColor: text(),
    AgentMsgTextColor: text(),
    ButtonColor: text(),
    ButtonTextColor: text(),
    Font: text(),
    FontSize: text(),
    LogoEnabled: bool(),
    LogoBlobId: int(),
    LogoName: text(),
    ShowAgentPhoto: bool(),
    WelcomeTitle: text(),
    WelcomeMessage: text(),
    OfflineHeader: text(),
    OfflineMessage: text(),
    OfflineFields: text(),
    UseAgentFirstname: bool(),
  }),
  BotEnabled: bool(),
  BotSettings: object("ChatBotSettings", {
    BotName: text(),
    BotRegisterScriptId: int(),
    BotSessionCreatedScriptId: int(),
    BotSessionChangedScriptId: int(),
    BotMessageReceivedScriptId: int(),
  }),
  OfflineCollectConsent: bool(),
  WarnChatMessageMinutes: int(),
  WarnManagerChatMessageMinutes: int(),
  UseQueueOfflineForm: bool(),
  OfflineFormTimeLimit: int(),
  OfflineFormQueueLength: int(),
  WidgetEnableRating: bool(),
  WidgetRatingText: text(),
};
const SETTINGS: Record<string, Schema> = {
  ...SETTINGS_BEFORE_ACCEPT,
  ...SETTINGS_BEFORE_HOURS,
  ...SETTINGS_AFTER_HOURS,
};

const TOPIC_PROPERTIES: Record<string, Schema> = {
  ChatTopicId: int("The primary key; 0 (or absent) when creating"),
  Name: text("The name of this chat topic"),
  Description: text("The description of this topic"),
  WelcomeMessage: text("Sent to the customer when the chat session starts"),
  ...SETTINGS_BEFORE_ACCEPT,
  LastAccept: text(
    "When a session of the topic was last taken by an agent (date-time); null before",
  ),
  ...SETTINGS_BEFORE_HOURS,
  OpeningHoursEnabled: bool("Whether to use opening hours"),
  OpeningHours: OPENING_HOURS_SCHEMA,
  ...SETTINGS_AFTER_HOURS,
};

export const TOPIC_SCHEMA = object("ChatTopicEntity", TOPIC_PROPERTIES);
export const TOPIC_LIST: Schema = { type: "array", items: TOPIC_SCHEMA };
export const TOPIC_WITH_LINKS = object("ChatTopicEntityWithLinks", {
  ...TOPIC_PROPERTIES,
  _Links: object("Links", { Self: text("This entity's URL") }),
});

function hoursCarrier(hours: OpeningHours): Record<string, unknown> {
  const zone = findTimeZone(hours.timeZone) ?? findTimeZone("UTC");
  const carrier: Record<string, unknown> = {
    TzLocation: {
      TZLocationID: zone?.id ?? 0,
      Name: zone?.name ?? "",
      TZLocationCode: hours.timeZone || "UTC",
      TZLocationCities: zone?.cities ?? "",
      IsoNumber: zone?.isoNumber ?? 0,
    },
  };
  for (const day of WEEKDAYS) {
    carrier[`${day}Enabled`] = hours.days[day].enabled;
    carrier[`${day}Start`] = formatTimeOfDay(hours.days[day].start);
    carrier[`${day}Stop`] = formatTimeOfDay(hours.days[day].stop);
  }
  carrier.UseLunchHours = hours.lunch.enabled;
  carrier.LunchStart = formatTimeOfDay(hours.lunch.start);
  carrier.LunchStop = formatTimeOfDay(hours.lunch.stop);
  return carrier;
}

export function topicCarrier(topic: ChatTopicRecord): Record<string, unknown> {
  const carrier: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(SETTINGS)) {
    carrier[name] = name in topic.settings ? topic.settings[name] : defaultOf(schema);
  }
  const { lastAccept = null, secondsPerAccept = null } = topic.accepts ?? {};
  if (secondsPerAccept !== null) carrier.SecondsPrAccept = secondsPerAccept;
  return {
    ChatTopicId: topic.id,
    Name: topic.name,
    Description: topic.description,
    WelcomeMessage: topic.welcomeMessage,
    LastAccept: lastAccept === null ? null : new Date(lastAccept).toISOString(),
    ...carrier,
    OpeningHoursEnabled: topic.openingHoursEnabled,
    OpeningHours: hoursCarrier(topic.openingHours),
  };
}

/** The entity with its own URL, under the site's base path. */
export function topicWithLinks(
  topic: ChatTopicRecord,
  request: FastifyRequest,
): Record<string, unknown> {
  return withSelfLink(topicCarrier(topic), request, `/api/v1/ChatTopic/${topic.id}`);
}

function hoursOf(carrier: Record<string, unknown>, at: string): OpeningHours {
  const zone = carrier.TzLocation as { TZLocationCode: string | null; TZLocationID: number } | null;
  const time = (name: string) => parseTimeOfDay(`${at}.${name}`, carrier[name] as string | null);
  const span = (prefix: string, enabled: string) => ({
    enabled: carrier[enabled] as boolean,
    start: time(`${prefix}Start`),
    stop: time(`${prefix}Stop`),
  });
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, span(d, `${d}Enabled`)]));
  return {
    timeZone: zone
      ? timeZoneCode(`${at}.TzLocation.TZLocationCode`, zone.TZLocationCode, zone.TZLocationID)
      : "",
    days: days as OpeningHours["days"],
    lunch: span("Lunch", "UseLunchHours"),
  };
}

/**
 * A saved ChatTopicEntity over `base` (the stored topic, or the defaults for a new one):
 * top-level properties the body leaves out keep their values; a nested object is taken whole.
 */
export function readTopic(raw: unknown, base: ChatTopicRecord): TopicInput {
  const bound = bindOrThrow(raw, TOPIC_SCHEMA) as Record<string, unknown>;
  const given = (name: string) => propertyOf(raw, name) !== undefined;
  const current = topicCarrier(base);
  const value = (name: string) => (given(name) ? bound[name] : current[name]);
  const settings: Record<string, unknown> = { ...base.settings };
  for (const name of Object.keys(SETTINGS)) if (given(name)) settings[name] = bound[name];
  const hours = value("OpeningHours") as Record<string, unknown> | null;
  return {
    name: (value("Name") as string | null) ?? "",
    description: (value("Description") as string | null) ?? "",
    welcomeMessage: (value("WelcomeMessage") as string | null) ?? "",
    openingHoursEnabled: value("OpeningHoursEnabled") as boolean,
    openingHours: hours ? hoursOf(hours, "OpeningHours") : base.openingHours,
    settings,
  };
}
