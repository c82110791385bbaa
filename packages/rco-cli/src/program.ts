import { Command, CommanderError, Option } from 'commander';
import { runPush } from './commands/push';
import { runStatus } from './commands/status';
import { runValidate } from './commands/validate';
import { runWait, WAIT_EXIT } from './commands/wait';
import { RcoClient } from './lib/client';
import { CliError, neutralise, oneLine, redact } from './lib/errors';
import {
  connection,
  digestOption,
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

/** Tokens the arguments and environment carry, known before any parsing (for redaction). */
function tokensIn(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const found = [env.RCO_TOKEN ?? ''];
  argv.forEach((arg, i) => {
    if (arg === '--token') found.push(argv[i + 1] ?? '');
    else if (arg.startsWith('--token=')) found.push(arg.slice(8));
  });
  return found.map(t => t.trim()).filter(t => t.length >= 4);
}

/**
 * Commander quotes what it could not place (an unknown command or argument, a value outside the
 * choices). A value typed by the caller is never echoed, whatever it looks like: a token passed
 * in the wrong place must not reach a CI log. Only the CLI's own command names and option names
 * (`--tokn`) are quoted back.
 */
function quietCommanderError(
  message: string,
  argv: string[],
  names: Set<string>,
): string {
  if (/^error: unknown command\b/.test(message)) {
    return 'error: unknown command; run rco --help';
  }
  return message.replace(/'([^']*)'/g, (quoted, value: string) =>
    argv.includes(value) &&
    !names.has(value) &&
    !/^-{1,2}[A-Za-z][\w-]{0,29}$/.test(value)
      ? "'…'"
      : quoted,
  );
}

/** The names of a command and all its subcommands. */
function commandNames(cmd: Command, into = new Set<string>()): Set<string> {
  into.add(cmd.name());
  cmd.commands.forEach(c => commandNames(c, into));
  return into;
}

/**
 * Runs the rco command line and resolves to the exit code. Errors are printed as sentences on
 * stderr, never as stacks, and never with the token in them.
 */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  const tokens = tokensIn(argv, io.env);
  const hide = (text: string) =>
    tokens.reduce((t, token) => redact(t, token), text);
  // No printed line may start a CI workflow command but the CLI's own annotations.
  // Messages on stderr are one line each, whatever a file name or an answer held.
  const err = (line: string) => io.err(neutralise(hide(oneLine(line))));
  const out = (line: string) => io.out(neutralise(hide(line)));
  const annotate = (line: string) => io.out(hide(line));

  const program = new Command('rco')
    .description(
      'Validate runbooks, push evidence and wait for the gates of the RCO Release Console.',
    )
    .option('--url <url>', 'Backstage backend base URL (env RCO_URL)')
    .option('--token <token>', 'Backstage token (env RCO_TOKEN)')
    .option(
      '--retries <n>',
      'retries on 5xx and 429 answers and connection errors (env RCO_RETRIES, default 4)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: s => out(s.replace(/\n$/, '')),
      writeErr: s => io.err(neutralise(hide(s.replace(/\n$/, '')))),
      outputError: (s, write) =>
        write(quietCommanderError(s, argv, commandNames(program))),
    })
    // An empty value ("--digest ''" from an unset CI variable) would ask about something
    // else, so it is refused rather than dropped.
    .hook('preAction', (root, action) => {
      for (const cmd of [root, action]) {
        for (const option of cmd.options) {
          if (cmd.getOptionValue(option.attributeName()) === '') {
            throw new CliError(
              `${option.long} is empty: give it a value, or leave the option out.`,
            );
          }
        }
      }
    });

  /** The client for a command, from the global options and the environment. */
  const connect = () => {
    const globals = program.opts<GlobalOptions>();
    const conn = connection(globals, io.env);
    tokens.push(conn.token);
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
      exitCode = runValidate(files, opts, out, err, annotate);
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
      digestOption(opts.digest, false);
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
      digestOption(opts.digest, true);
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
      digestOption(opts.digest, false);
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
      `rco: unexpected error: ${oneLine(
        (error as Error)?.message ?? String(error),
      )}. Please report it with the command you ran.`,
    );
    // `gates wait` did not learn the verdict: "could not ask", never "a gate failed".
    return isWait ? WAIT_EXIT.error : 1;
  }
}
