import { DEFAULT_DOCS_PORT, EXIT, docs, renderDocs } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';

/** Resolves on Ctrl-C or a polite kill: the server then stops and its folder goes. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const docsCommand: Command = {
  summary: "serve the dbt docs site the DAG publishes (staging bucket's dbt-docs/) on localhost",
  usage: 'xetl docs --env <name> [--port N]',
  account: 'analytics',
  options: { port: { type: 'string' } },
  optionHelp: [`--port N                port on 127.0.0.1 (default ${DEFAULT_DOCS_PORT}, as dbt docs serve; 0: any free port)`],
  examples: ['xetl docs --env dev', 'xetl docs --env dev --port 8581', 'xetl docs --env local --endpoint-url http://127.0.0.1:5000'],
  validate: (v) => void wholeNumber(v, 'port', DEFAULT_DOCS_PORT, 0, 65535),
  async run(ctx, v, _p, io) {
    const session = await docs(ctx, { port: wholeNumber(v, 'port', DEFAULT_DOCS_PORT, 0, 65535) });
    try {
      if (v.json) printJson(io, session.report);
      else renderDocs(session.report).forEach((l) => io.out(l));
      await untilStopped();
    } finally {
      await session.close();
    }
    return EXIT.ok;
  },
};
