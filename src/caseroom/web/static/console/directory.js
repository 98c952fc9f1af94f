// What the console knows about people: the signed-in agent, the organization,
// its agents, and Customers (fetched once each, on demand).

import { get } from "./api.js";
import { t } from "./i18n.js";

export class Directory {
  constructor(me, org, agents, teams = [], locale = null) {
    this.me = me;
    this.locale = locale; // the agent's chosen console language (null: the browser's)
    this.org = org;
    this.teams = teams;
    this.agents = new Map(agents.map((a) => [a.id, a]));
    this.customers = new Map();
  }

  static async load() {
    const [me, org, agents, teams] = await Promise.all([
      get("/me"), get("/organization"), get("/agents"), get("/directory/teams").catch(() => []),
    ]);
    return new Directory(me.agent, org, agents, teams, me.locale ?? null);
  }

  agentName(id) {
    if (!id) return null;
    if (id === this.me.id) return this.me.name;
    const agent = this.agents.get(id);
    return agent ? agent.name : t("directory.former_agent");
  }

  customer(id) {
    if (!this.customers.has(id)) {
      const loading = get(`/customers/${id}`).catch(() => ({ id, name: t("entries.tag.customer") }));
      this.customers.set(id, loading);
    }
    return this.customers.get(id);
  }

  channel(name) {
    return this.org.channels.find((c) => c.channel === name);
  }
}
