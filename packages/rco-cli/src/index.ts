/**
 * The rco command-line tool for CI pipelines: validate runbooks, push evidence, wait for the
 * gates of the RCO Release Console.
 *
 * @packageDocumentation
 */
import { run } from './program';

run(process.argv).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`rco: ${(error as Error)?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
