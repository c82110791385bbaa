import { Command, CommanderError, Option } from 'commander';
import { runPush } from './commands/push';
import { runStatus } from './commands/status';
import { runValidate } from './commands/validate';
import { runWait, WAIT_EXIT } from './commands/wait';
import { RcoClient } from './lib/client';
import { CliError, redact } from './lib/errors';
import {
  connection,
  durationOption,
  GlobalOptions,
  parseEntityRef,
} from './lib/options';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  out: line => process.stdout.write(`${line}\n`),
  err: line => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * Runs the rco command line and resolves to the exit code. Errors are printed as sentences on
 * stderr, never as stacks, and never with the token in them.
 */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  let token: string | undefined;
  const err = (line: string) => io.err(redact(line, token));
  const out = (line: string) => io.out(redact(line, token));

  const program = new Command('rco')
    .description(
      'Validate runbooks, push evidence and wait for the gates of the RCO Release Console.',
    )
    .option('--url <url>', 'Backstage backend base URL (env RCO_URL)')
    .option('--token <token>', 'Backstage token (env RCO_TOKEN)')
    .option(
      '--retries <n>',
      'retries on 5xx answers and connection errors (env RCO_RETRIES, default 4)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: s => io.out(s.replace(/\n$/, '')),
      writeErr: s => io.err(s.replace(/\n$/, '')),
    });

  /** The client for a command, from the global options and the environment. */
  const connect = () => {
    const globals = program.opts<GlobalOptions>();
    const conn = connection(globals, io.env);
    token = conn.token;
    const client = new RcoClient({
      ...conn,
      retryDelayMs: Number(io.env.RCO_RETRY_DELAY_MS ?? 500),
      onRetry: (error, attempt) =>
        err(
          `Retrying (attempt ${attempt + 1} of ${conn.retries + 1}): ${
            error.message
          }`,
        ),
    });
    return { client, url: conn.url };
  };

  const release = (cmd: Command) =>
    cmd
      .option(
        '--entity <ref>',
        'entity ref kind:namespace/name, e.g. component:default/rco (env RCO_ENTITY)',
      )
      .option('--digest <digest>', 'image digest sha256:…')
      .option('--version <version>', 'release version')
      .option('--environment <env>', 'environment (staging, production, …)');

  const runbook = program.command('runbook').description('Runbook documents');
  runbook
    .command('validate')
    .description('Check runbook files against the schema and the lint rules')
    .argument('<file...>')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'github'])
        .default('text'),
    )
    .action((files: string[], opts) => {
      exitCode = runValidate(files, opts, out, err);
    });

  const evidence = program
    .command('evidence')
    .description('Evidence for the gates');
  release(evidence.command('push'))
    .description(
      'Upload tool outputs (Trivy, Grype, SBOM, cosign, gitleaks, …) as evidence',
    )
    .argument('<file...>')
    .option('--commit <sha>', 'commit the evidence is about')
    .option('--kind <kind>', 'evidence kind, when detection cannot tell')
    .option('--json', 'print the stored records as JSON')
    .action(async (files: string[], opts) => {
      const { client, url } = connect();
      exitCode = await runPush(
        client,
        url,
        parseEntityRef(opts.entity ?? io.env.RCO_ENTITY),
        files,
        opts,
        out,
        err,
      );
    });

  const gates = program.command('gates').description('The release gates');
  release(gates.command('wait'))
    .description(
      'Wait until every gate passes (exit 0), one fails (1) or the time is up (2)',
    )
    .requiredOption(
      '--timeout <duration>',
      'how long to wait: 90s, 10m, 1h or PT10M',
    )
    .option('--interval <duration>', 'how often to ask', '5s')
    .action(async opts => {
      const timeoutMs = durationOption('--timeout', opts.timeout);
      const intervalMs = durationOption('--interval', opts.interval);
      const { client, url } = connect();
      exitCode = await runWait(
        client,
        url,
        parseEntityRef(opts.entity ?? io.env.RCO_ENTITY),
        opts,
        { timeoutMs, intervalMs },
        out,
        err,
      );
    });

  release(program.command('status'))
    .description("The release's gate verdict as a table (or --json)")
    .option('--json', 'print the backend response as JSON')
    .action(async opts => {
      const { client, url } = connect();
      exitCode = await runStatus(
        client,
        url,
        parseEntityRef(opts.entity ?? io.env.RCO_ENTITY),
        opts,
        out,
      );
    });

  // A bad --timeout or missing token is the caller's to fix; for `gates wait` it is exit 3,
  // so a pipeline can tell "the gates said no" (1) from "we could not ask" (3).
  const isWait = argv.slice(2).join(' ').includes('gates wait');
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander already printed its message.
      if (error.exitCode === 0) return 0;
      return isWait ? WAIT_EXIT.error : 1;
    }
    if (error instanceof CliError) {
      err(`rco: ${error.message}`);
      return isWait && error.exitCode === 1 ? WAIT_EXIT.error : error.exitCode;
    }
    err(
      `rco: unexpected error: ${
        (error as Error)?.message ?? String(error)
      }. Please report it with the command you ran.`,
    );
    return 1;
  }
}
