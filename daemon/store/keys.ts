/** Redis key names (DESIGN §4), all under one configurable prefix. */
export function keys(prefix: string) {
  return {
    session: (id: string) => `${prefix}session:${id}`,
    containers: (id: string) => `${prefix}session:${id}:containers`,
    events: (id: string) => `${prefix}session:${id}:events`,
    history: (id: string) => `${prefix}session:${id}:history`,
    /** Questions waiting for a human, by question id. */
    questions: (id: string) => `${prefix}session:${id}:questions`,
    sessionRules: (id: string) => `${prefix}session:${id}:rules`,
    notes: (id: string) => `${prefix}session:${id}:notes`,
    /** Every session, scored by last activity: the janitor's index (ended ones too, until retention removes them). */
    active: () => `${prefix}sessions:active`,
    owned: (owner: string) => `${prefix}owner:${owner}:sessions`,
    container: (id: string) => `${prefix}container:${id}`,
    audit: () => `${prefix}audit`,
    /** A write's one-time key: present once the write happened, so a resent write is skipped. */
    once: (token: string) => `${prefix}once:${token}`,
  };
}

export type Keys = ReturnType<typeof keys>;
