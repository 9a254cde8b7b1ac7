import type { render } from 'ink-testing-library';

type Instance = ReturnType<typeof render>;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

/** A frame without colours, trailing spaces or trailing blank lines. */
export function plain(frame: string | undefined): string {
  return (frame ?? '')
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

/** Lets React run its effects (input handlers attach in effects) before the test types. */
export async function tick(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Types keys once the app is ready for them, then lets the app react. */
export async function press(instance: Instance, keys: string): Promise<void> {
  await tick();
  instance.stdin.write(keys);
  await tick();
}

/** Waits until the latest frame satisfies `test`; rejects with that frame after the deadline. */
export function waitForFrame(instance: Instance, test: string | RegExp | ((frame: string) => boolean), timeoutMs = 5000): Promise<string> {
  const matches =
    typeof test === 'function' ? test : typeof test === 'string' ? (f: string) => f.includes(test) : (f: string) => test.test(f);
  const stdout = instance.stdout as unknown as { write: (frame: string) => void };
  return new Promise((resolve, reject) => {
    const original = stdout.write;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stdout.write = original;
      if (error) reject(error);
      else resolve(plain(instance.lastFrame()));
    };
    const timer = setTimeout(
      () => finish(new Error(`no frame matched ${String(test)} within ${timeoutMs} ms; last frame:\n${plain(instance.lastFrame())}`)),
      timeoutMs,
    );
    stdout.write = (frame: string) => {
      original(frame);
      if (matches(plain(frame))) finish();
    };
    if (matches(plain(instance.lastFrame()))) finish();
  });
}
