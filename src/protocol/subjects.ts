// No zod here: the view, the client core and the web bundle import this at run time, and zod's schemas would pull
// code into the page that its CSP refuses.

/** What a question is about: the tool call it would let run. */
export interface CallSubject {
  kind: 'call';
  callId: string;
  server: string;
  tool: string;
}

/**
 * What a question is about when a server asks on its own (an elicitation, a sampling request, a network grant): the
 * server, and the tool call it is serving when exactly one of that server's calls is running in the session.
 */
export interface ServerSubject {
  kind: 'server';
  server: string;
  callId?: string;
}

export type QuestionSubject = CallSubject | ServerSubject;

/** The tool call a question is about, if it is about one. */
export function subjectCallId(subject: QuestionSubject): string | undefined {
  return subject.callId;
}
