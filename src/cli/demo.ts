/** The small demo directory `serve --demo` loads into an empty store. */
import type { Seed } from "../domain/seed.ts";

export const DEMO_PASSWORD = "demo";

const people: [number, string, string, "admin" | "agent"][] = [
  [1, "anna", "Anna Berg", "admin"],
  [2, "bjorn", "Bjørn Dahl", "agent"],
  [3, "carla", "Carla Moreno", "agent"],
  [4, "dev", "Dev Patel", "agent"],
];

export const DEMO_SEED: Seed = {
  users: people.map(([id, username, displayName, role]) => ({
    id,
    username,
    displayName,
    role,
    present: id % 2 === 1,
    password: DEMO_PASSWORD,
    passwordHash: null,
  })),
  topics: [
    { id: 10, name: "Sales" },
    { id: 20, name: "Support" },
  ],
  members: [
    { topicId: 10, userId: 1, canListen: true, canRespond: true, canManage: true, canNotify: true },
    {
      topicId: 10,
      userId: 2,
      canListen: true,
      canRespond: true,
      canManage: false,
      canNotify: false,
    },
    {
      topicId: 20,
      userId: 2,
      canListen: true,
      canRespond: true,
      canManage: false,
      canNotify: true,
    },
    {
      topicId: 20,
      userId: 3,
      canListen: true,
      canRespond: true,
      canManage: false,
      canNotify: false,
    },
  ],
  sessions: [
    { id: 100, topicId: 10, userId: 2, status: "UserLast" },
    { id: 101, topicId: 20, userId: 3, status: "CustomerLast" },
    { id: 102, topicId: 20, userId: null, status: "InQueue" },
  ],
  appTokens: [],
};
