import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Static, useApp, useStdout } from 'ink';
import { callName } from '../../src/view/format.js';
import { answerableQuestions, runningCalls } from '../../src/view/select.js';
import type { SessionView } from '../../src/view/types.js';
import { ChatItemView } from '../components/ChatItemView.js';
import { KeyRouter, useKeys } from '../components/keys.js';
import { tailRows } from '../components/streaming.js';
import { Spinner } from '../components/Spinner.js';
import { StatusBar } from '../components/StatusBar.js';
import { TextInput } from '../components/TextInput.js';
import type { ChatController } from './controller.js';
import { NoteView } from './NoteView.js';
import { QuestionPrompt } from './QuestionPrompt.js';
import { liveText, type Entry } from './transcript.js';
import { Text } from '../components/Text.js';

/** The chat screen: the printed transcript, then what is live (streaming text, calls, the prompt), input, status. */
export function ChatApp({ controller }: { controller: ChatController }) {
  return (
    <KeyRouter>
      <ChatScreen controller={controller} />
    </KeyRouter>
  );
}

function ChatScreen({ controller }: { controller: ChatController }) {
  const snap = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [input, setInput] = useState('');
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const { columns: width, rows } = size;
  const view = snap.view;
  const questions = view ? answerableQuestions(view) : [];
  const prompt = questions[0];
  const me = snap.user;

  useEffect(() => {
    if (snap.done) exit();
  }, [snap.done, exit]);

  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);

  useKeys((ch, key) => {
    if (key.ctrl && ch === 'c') {
      if (input !== '') setInput('');
      else controller.interrupt();
      return;
    }
    controller.disarm();
    if (key.ctrl && ch === 'o') controller.toggleConsole();
    else if (key.ctrl && ch === 'd' && input === '') controller.quit();
    else if (key.escape && !prompt && view?.busy) void controller.cancel();
  });

  const live = view ? view.items.slice(snap.transcript.items) : [];
  return (
    <>
      <Static key={snap.epoch} items={snap.transcript.entries}>
        {(entry) => <EntryView key={entry.key} entry={entry} width={width} {...(me === undefined ? {} : { me })} />}
      </Static>
      <Box flexDirection="column" width={width}>
        {live.map((item, i) => {
          const part = i === 0 ? liveText(snap.transcript, item) : undefined;
          const clipped = part ? tailRows(part.text, Math.max(4, rows - 16), width - 2) : undefined;
          return (
            <ChatItemView
              key={item.key}
              item={item}
              consoleOpen={snap.consoleOpen}
              width={width}
              {...(me === undefined ? {} : { me })}
              {...(part && clipped ? { text: clipped.text, continued: part.continued || clipped.cut } : {})}
            />
          );
        })}
        {view && prompt ? (
          <QuestionPrompt
            key={prompt.questionId}
            view={view}
            question={prompt}
            queued={questions.length - 1}
            sending={snap.answering.has(prompt.questionId)}
            argRows={rows - 16}
            onAnswer={(answer) => void controller.answer(prompt.questionId, answer)}
          />
        ) : null}
        {view?.busy && !prompt ? (
          <Spinner label={activity(view)} {...(view.turn ? { since: view.turn.startedAt } : {})} hint="esc to cancel" />
        ) : null}
        <Box marginTop={1}>
          <TextInput
            value={input}
            onChange={setInput}
            onSubmit={(text) => {
              setInput('');
              void controller.submit(text);
            }}
            isActive={!prompt}
            placeholder={view?.ended ? 'This session has ended: /new, /switch ID or /quit' : 'Message Gemini, or /help'}
            history={snap.history}
            onTab={(line) => controller.complete(line)}
          />
        </Box>
        <StatusBar
          connection={snap.connection}
          session={view?.session}
          pending={view?.questions.length ?? 0}
          engine={snap.engine}
          loosened={snap.loosened}
        />
        {snap.hint ? <Text color="yellow">{snap.hint}</Text> : null}
      </Box>
    </>
  );
}

function EntryView({ entry, width, me }: { entry: Entry; width: number; me?: string }) {
  if (entry.kind === 'note') return <NoteView note={entry.note} width={width} />;
  return (
    <ChatItemView
      item={entry.item}
      consoleOpen={entry.showOutput}
      width={width}
      {...(me === undefined ? {} : { me })}
      {...(entry.text === undefined ? {} : { text: entry.text })}
      continued={entry.continued ?? false}
    />
  );
}

/** What the agent is doing, for the spinner. */
function activity(view: SessionView): string {
  const running = runningCalls(view);
  if (running.length > 0) return `Running ${running.map(callName).join(', ')}…`;
  switch (view.turn?.phase) {
    case 'answering':
      return 'Answering…';
    case 'tools':
      return 'Working…';
    default:
      return 'Thinking…';
  }
}
