/** The session a path names: `/s/<id>`, the address of a chat, so a reload or a bookmark opens it again. */
export function sessionFromPath(pathname: string): string | undefined {
  const match = /^\/s\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return match?.[1];
}

/** The path of a session's chat (`/` for none). */
export function pathForSession(sessionId: string | undefined): string {
  return sessionId ? `/s/${encodeURIComponent(sessionId)}` : '/';
}
