/**
 * The crowd of the routing race: customers queueing sessions in bursts through every node,
 * and agents who, each through a node picked at random per call, accept, decline or ignore
 * their offers, pick sessions up, transfer chats and take or refuse transfers, end chats and
 * switch presence off and on. Refusals the API gives for a lost race (a PresenceError) are
 * expected and counted; anything else is a violation. Driven by a seeded generator.
 */
import { PresenceError } from "../../src/domain/errors.ts";
import { EMPTY_CUSTOMER, isOngoing } from "../../src/domain/session.ts";
import type { RoutingAudit } from "./routing-audit.ts";
import type { RaceAgent, RaceNode, World } from "./routing-world.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded generator, so a failing run can be replayed by its seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Crowd {
  /** Refusals by code (lost races, full agents): expected, reported for the record. */
  readonly refusals = new Map<string, number>();
  private readonly inbox = new Map<number, number[]>();
  private readonly answering = new Set<Promise<unknown>>();

  constructor(
    private readonly world: World,
    private readonly audit: RoutingAudit,
    private readonly random: () => number,
  ) {
    // Some offers are accepted the moment they are made, through any node, while other
    // nodes' passes may still be offering from what they read before.
    audit.onOffered = (id, userId) => {
      const agent = this.world.agents.find((a) => a.actor.userId === userId);
      if (!agent || this.random() >= 0.3) return;
      const { services } = this.node();
      const answer = this.attempt("instant accept", () => services.routing.accept(agent.actor, id));
      this.answering.add(answer);
      void answer.finally(() => this.answering.delete(answer));
    };
  }

  /** Resolves once no instant accept is under way. */
  async answered(): Promise<void> {
    while (this.answering.size > 0) await Promise.all([...this.answering]);
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  private node(): RaceNode {
    return this.pick(this.world.nodes);
  }

  /** Runs one call; a PresenceError is a refusal, anything else a violation. */
  private async attempt<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PresenceError) {
        this.refusals.set(error.code, (this.refusals.get(error.code) ?? 0) + 1);
      } else {
        this.audit.fail(`${what}: ${(error as Error).stack ?? error}`);
      }
      return null;
    }
  }

  /** `count` sessions at once, spread over the nodes and topics. */
  async burst(count: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const { services } = this.world.nodes[i % this.world.nodes.length];
        const topicId = this.pick(this.world.topics).id;
        const customer = { ...EMPTY_CUSTOMER, name: `Customer ${i}` };
        return this.attempt("create", () => services.sessions.create({ topicId, customer }));
      }),
    );
  }

  /** The agent acting at random until `running()` says stop. */
  async agent(agent: RaceAgent, running: () => boolean): Promise<void> {
    while (running()) {
      await this.step(agent).catch((error) => this.audit.fail(`agent step: ${error.stack}`));
      await sleep(10 + this.random() * 50);
    }
  }

  private held(agent: RaceAgent): number[] {
    const me = agent.actor.userId;
    return [...this.audit.holders].filter(([, holder]) => holder === me).map(([id]) => id);
  }

  private async step(agent: RaceAgent): Promise<void> {
    const { actor } = agent;
    const { services } = this.node();
    const offers = (await this.attempt("offers", () => services.routing.offers(actor))) ?? [];
    const transfers = this.inbox.get(actor.userId) ?? [];
    const roll = this.random();
    if (offers.length > 0 && roll < 0.8) {
      const { chatSessionId } = offers[0];
      if (roll < 0.55)
        await this.attempt("accept", () => services.routing.accept(actor, chatSessionId));
      else await this.attempt("decline", () => services.routing.decline(actor, chatSessionId));
    } else if (transfers.length > 0 && roll < 0.5) {
      const id = transfers.shift() as number;
      if (this.random() < 0.7)
        await this.attempt("accept transfer", () => services.sessions.acceptTransfer(actor, id));
      else await this.attempt("reject transfer", () => services.sessions.rejectTransfer(actor, id));
    } else if (roll < 0.35) {
      await this.end(agent, this.pick(this.held(agent)));
    } else if (roll < 0.45) {
      await this.pickUp(agent);
    } else if (roll < 0.52) {
      await this.transfer(agent);
    } else if (roll < 0.56) {
      await this.awayForAWhile(agent);
    }
  }

  private async end(agent: RaceAgent, id: number | undefined): Promise<void> {
    if (id === undefined) return;
    const { services } = this.node();
    const ended = await this.attempt("end", () =>
      services.sessions.save(agent.actor, id, { status: "Finished" }),
    );
    if (ended) this.audit.holders.delete(id);
  }

  private async pickUp(agent: RaceAgent): Promise<void> {
    const { services } = this.node();
    if (this.random() < 0.5) {
      await this.attempt("pick up first", () => services.sessions.pickUpFirst(agent.actor));
      return;
    }
    const mine = [...this.audit.waiting].filter(([, topic]) => agent.topics.includes(topic));
    if (mine.length === 0) return;
    const [id] = this.pick(mine);
    await this.attempt("pick up", () => services.sessions.pickUp(agent.actor, id));
  }

  private async transfer(agent: RaceAgent): Promise<void> {
    const id = this.pick(this.held(agent));
    if (id === undefined) return;
    const { services, store } = this.node();
    const session = await store.getSession(id);
    const topic = this.world.topics.find((t) => t.id === session?.topicId);
    const others = topic?.agents.filter((userId) => userId !== agent.actor.userId) ?? [];
    if (others.length === 0) return;
    const toId = this.pick(others);
    const to = this.world.agents.find((a) => a.actor.userId === toId) as RaceAgent;
    const offered = await this.attempt("transfer", () =>
      services.sessions.transfer(agent.actor, id, to.actor.username),
    );
    if (offered?.transferTo?.id === to.actor.userId) {
      this.inbox.set(to.actor.userId, [...(this.inbox.get(to.actor.userId) ?? []), id]);
    }
  }

  private async awayForAWhile(agent: RaceAgent): Promise<void> {
    const { actor } = agent;
    const off = this.node().services;
    const gone = await this.attempt("away", () =>
      off.presence.save(actor, [{ userId: actor.userId, present: false }]),
    );
    if (gone) this.audit.wentAway(actor.userId);
    await sleep(100 + this.random() * 500);
    this.audit.cameBack(actor.userId);
    await this.present(agent);
  }

  async present(agent: RaceAgent): Promise<void> {
    const { actor } = agent;
    const { services } = this.node();
    await this.attempt("back", () =>
      services.presence.save(actor, [{ userId: actor.userId, present: true }]),
    );
  }

  /**
   * The end of the day, until every session has ended or `until`: agents take every offer and
   * transfer and end every chat they hold (read from the store), and pick nothing up, so the
   * queue empties only if routing keeps giving out what waits.
   */
  async drain(agent: RaceAgent, done: () => boolean, until: number): Promise<void> {
    const { actor } = agent;
    while (!done() && Date.now() < until) {
      const { services, store } = this.node();
      for (const offer of await services.routing.offers(actor))
        await this.attempt("accept", () => services.routing.accept(actor, offer.chatSessionId));
      for (const id of this.inbox.get(actor.userId)?.splice(0) ?? [])
        await this.attempt("accept transfer", () => services.sessions.acceptTransfer(actor, id));
      const mine = (await store.listSessions({ visibleTo: actor.userId })).filter(
        (s) => s.user?.id === actor.userId && isOngoing(s.status),
      );
      for (const s of mine) await this.end(agent, s.id);
      await sleep(20 + this.random() * 30);
    }
  }
}
