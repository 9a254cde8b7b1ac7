import { createContext, useCallback, useContext, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useInput, type Key } from 'ink';

export type KeyHandler = (input: string, key: Key) => void;

interface Registration {
  handler: { current: KeyHandler };
  active: { current: boolean };
}

const Router = createContext<Set<Registration> | undefined>(undefined);

/**
 * One Ink input listener for the whole screen, registered once, that hands each key to the handlers active right
 * now. With a listener per component, React swaps listeners in passive effects, which run after the new screen is
 * drawn: a key typed in that gap (a fast typist, a test, a paste) reached a stale handler and was lost.
 */
export function KeyRouter({ children }: { children: ReactNode }) {
  const registrations = useRef(new Set<Registration>()).current;
  const route = useCallback(
    (input: string, key: Key) => {
      for (const registration of [...registrations]) if (registration.active.current) registration.handler.current(input, key);
    },
    [registrations],
  );
  useInput(route);
  return <Router.Provider value={registrations}>{children}</Router.Provider>;
}

/** Ink's useInput, through the nearest KeyRouter when there is one: the handler and its activity apply from the render that sets them. */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
  const registrations = useContext(Router);
  const active = options.isActive ?? true;
  const handlerRef = useRef(handler);
  const activeRef = useRef(active);
  // Set during render on purpose: the next key must see this render's state, not wait for an effect.
  handlerRef.current = handler;
  activeRef.current = active;
  const registration = useRef<Registration>({ handler: handlerRef, active: activeRef }).current;
  registrations?.add(registration);
  useLayoutEffect(() => {
    registrations?.add(registration);
    return () => void registrations?.delete(registration);
  }, [registrations, registration]);
  useInput(handler, { isActive: registrations === undefined && active });
}
