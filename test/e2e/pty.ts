import xterm from '@xterm/headless';
import pty from 'node-pty';

const { Terminal } = xterm;

export interface PtyOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

/**
 * A program in a real pseudo-terminal, read through a headless xterm: tests type keys and wait until the screen
 * shows something (never for a fixed time), as a person would.
 */
export class PtyTerminal {
  private readonly term: InstanceType<typeof Terminal>;
  private readonly proc: pty.IPty;
  private readonly checks = new Set<() => void>();
  /** Resolves with the exit code when the program ends. */
  readonly exited: Promise<number>;
  exitCode: number | undefined;

  constructor(options: PtyOptions) {
    const cols = options.cols ?? 110;
    const rows = options.rows ?? 40;
    this.term = new Terminal({ cols, rows, scrollback: 5000, allowProposedApi: true });
    this.proc = pty.spawn(options.command, options.args, {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: options.cwd,
      env: options.env as Record<string, string>,
    });
    // A frame may reach us in several reads: look at the screen once the reads queued so far are parsed.
    this.proc.onData((data) => this.term.write(data, () => this.scheduleChecks()));
    this.exited = new Promise((resolve) =>
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        // Let xterm finish parsing what was written last before anyone reads the screen.
        this.term.write('', () => {
          this.runChecks();
          resolve(exitCode);
        });
      }),
    );
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** The headless terminal itself, e.g. to register handlers that record what the program made it do. */
  get xterm(): InstanceType<typeof Terminal> {
    return this.term;
  }

  /** The visible screen, one string per row, trailing spaces trimmed. */
  screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = buffer.viewportY; y < buffer.viewportY + this.term.rows; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return trimBlankTail(lines).join('\n');
  }

  /** Everything the terminal holds: scrollback and screen. */
  all(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return trimBlankTail(lines).join('\n');
  }

  /** Types keys (text, or control sequences such as '\r', '\x03', '\x1b'). */
  write(keys: string): void {
    this.proc.write(keys);
  }

  /** Waits until `test` holds for the screen (or, with `scope: 'all'`, the scrollback too). */
  waitFor(
    test: string | RegExp | ((text: string) => boolean),
    options: { timeoutMs?: number; scope?: 'screen' | 'all' } = {},
  ): Promise<string> {
    const { timeoutMs = 60_000, scope = 'screen' } = options;
    const matches =
      typeof test === 'function' ? test : typeof test === 'string' ? (t: string) => t.includes(test) : (t: string) => test.test(t);
    const read = (): string => (scope === 'all' ? this.all() : this.screen());
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const text = read();
        if (matches(text)) {
          done();
          resolve(text);
        } else if (this.exitCode !== undefined) {
          done();
          reject(
            new Error(`the program exited (code ${this.exitCode}) before the screen showed ${String(test)}. Screen:\n${this.screen()}`),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the screen did not show ${String(test)} within ${timeoutMs} ms. Screen:\n${this.screen()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.checks.delete(check);
      };
      this.checks.add(check);
      check();
    });
  }

  /** Ends the program if it still runs (tests that fail midway). */
  kill(): void {
    if (this.exitCode === undefined) this.proc.kill();
  }

  dispose(): void {
    this.kill();
    this.term.dispose();
  }

  private scheduled = false;

  private scheduleChecks(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runChecks();
    });
  }

  private runChecks(): void {
    for (const check of [...this.checks]) check();
  }
}

function trimBlankTail(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(0, end);
}
