/** Redis key names (the table in docs/architecture.md), all under one configurable prefix. */
export function keys(prefix: string) {
  return {
    session: (id: string) => `${prefix}session:${id}`,
    containers: (id: string) => `${prefix}session:${id}:containers`,
    events: (id: string) => `${prefix}session:${id}:events`,
    history: (id: string) => `${prefix}session:${id}:history`,
    /** Questions waiting for a human, by question id. */
    questions: (id: string) => `${prefix}session:${id}:questions`,
    sessionRules: (id: string) => `${prefix}session:${id}:rules`,
    /** Network grants a person made for the rest of the session (`{ server, rule }`, JSON, in order). */
    egressGrants: (id: string) => `${prefix}session:${id}:egress`,
    /** The session's tool pins, by `server\u0000tool`. */
    pins: (id: string) => `${prefix}session:${id}:pins`,
    notes: (id: string) => `${prefix}session:${id}:notes`,
    /** The resources the session follows (`[server, uri]`, JSON), oldest first: re-followed by each new sandbox. */
    subscriptions: (id: string) => `${prefix}session:${id}:subscriptions`,
    /** Tokens used by sampling in the session, by server (a policy's budget). */
    sampling: (id: string) => `${prefix}session:${id}:sampling`,
    /** The session's audit entries (a copy of the shared stream's), so one session's audit is read without a scan. */
    sessionAudit: (id: string) => `${prefix}session:${id}:audit`,
    /** Every session, scored by last activity: the janitor's index (ended ones too, until retention removes them). */
    active: () => `${prefix}sessions:active`,
    owned: (owner: string) => `${prefix}owner:${owner}:sessions`,
    container: (id: string) => `${prefix}container:${id}`,
    audit: () => `${prefix}audit`,
    /** The audit entries of an owner's sessions, newest last: `mcpgw audit` reads its tail (kept after a session goes). */
    ownerAudit: (owner: string) => `${prefix}owner:${owner}:audit`,
    /** A write's one-time key: present once the write happened, so a resent write is skipped. */
    once: (token: string) => `${prefix}once:${token}`,
  };
}

export type Keys = ReturnType<typeof keys>;
