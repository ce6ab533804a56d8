/**
 * Standalone auditor:
 *   npx tsx scripts/audit/main.ts --rpc URL --round ADDR [--published DIR|URL] [--from-block N] [--json]
 *   npx tsx scripts/audit/main.ts export --rpc URL --round ADDR --format csv|json [--out DIR]
 *   npx tsx scripts/audit/main.ts receipt --rpc URL --round ADDR --address 0x... [--json]
 * The audit exits 0 when every check holds, 1 when any fails (every discrepancy listed), 2 on errors.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";

import { audit, exportRound, formatReceipt, formatReport, receipt, reportJson, type AuditOptions } from "./index.js";

const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("not a block number");
  return n;
};

interface CommonFlags {
  rpc: string;
  round: string;
  published?: string;
  fromBlock?: number;
  toBlock?: number;
  factory?: string;
  chunk?: number;
  maxChunk?: number;
  resultCap?: number;
  skipResidentBalances?: boolean;
}

function withCommon(command: Command): Command {
  return command
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .requiredOption("--round <address>", "round address")
    .option("--published <dir|url>", "base directory or URL of the published files")
    .option("--from-block <n>", "first block to read (default: manifest's, else the round's deployment)", integer)
    .option("--to-block <n>", "last block to read (default: latest)", integer)
    .option("--factory <address>", "factory that created the round (default: from the manifest)")
    .option("--chunk <blocks>", "first log query range in blocks", integer)
    .option("--max-chunk <blocks>", "largest log query range in blocks", integer)
    .option("--result-cap <logs>", "log count at which the endpoint may truncate (default 10000)", integer);
}

/** A progress bar on stderr while the logs are read; silent when stderr is not a terminal. */
function progress(): { onProgress: AuditOptions["onProgress"]; stop(): void } {
  const bar = new SingleBar(
    { format: "reading logs [{bar}] {percentage}% | blocks {value}/{total} | {logs} logs", stream: process.stderr },
    undefined,
  );
  let started = false;
  return {
    onProgress(done, total, logs) {
      if (!started) {
        bar.start(total, 0, { logs: 0 });
        started = true;
      }
      bar.update(done, { logs });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function options(flags: CommonFlags, onProgress?: AuditOptions["onProgress"]): AuditOptions {
  return {
    rpc: flags.rpc,
    round: flags.round,
    published: flags.published,
    fromBlock: flags.fromBlock,
    toBlock: flags.toBlock,
    factory: flags.factory,
    residentBalances: !flags.skipResidentBalances,
    reader: { initialChunk: flags.chunk, maxChunk: flags.maxChunk, resultCap: flags.resultCap },
    onProgress,
  };
}

const program = new Command("audit").description("Recount a Kopilka round from chain data and published files");

withCommon(program.command("run", { isDefault: true }).description("audit a round (the default)"))
  .option("--json", "print the report as JSON")
  .option("--skip-resident-balances", "do not read each resident's balance (one eth_call per resident)")
  .action(async (flags: CommonFlags & { json?: boolean }) => {
    const bar = progress();
    const started = performance.now();
    let report;
    try {
      report = await audit(options(flags, bar.onProgress));
    } finally {
      bar.stop();
    }
    process.stdout.write(flags.json ? reportJson(report) : formatReport(report));
    if (!flags.json) process.stderr.write(`audit took ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    process.exitCode = report.ok ? 0 : 1;
  });

withCommon(program.command("export").description("export results and anonymised ballots"))
  .addOption(new Option("--format <format>", "output format").choices(["csv", "json", "pb"]).default("csv"))
  .option("--out <dir>", "directory to write the files into (default: print them)")
  .action(async (flags: CommonFlags & { format: "csv" | "json" | "pb"; out?: string }) => {
    const bar = progress();
    let files;
    try {
      files = await exportRound({ ...options(flags, bar.onProgress), format: flags.format });
    } finally {
      bar.stop();
    }
    for (const [name, content] of Object.entries(files)) {
      if (flags.out) {
        await mkdir(flags.out, { recursive: true });
        await writeFile(path.join(flags.out, name), content);
        process.stderr.write(`wrote ${path.join(flags.out, name)}\n`);
      } else {
        process.stdout.write(`# ${name}\n${content}`);
      }
    }
  });

withCommon(program.command("receipt").description("what an address claimed and put where"))
  .requiredOption("--address <address>", "the voter's address")
  .option("--json", "print the receipt as JSON")
  .action(async (flags: CommonFlags & { address: string; json?: boolean }) => {
    const bar = progress();
    let found;
    try {
      found = await receipt({ ...options(flags, bar.onProgress), address: flags.address });
    } finally {
      bar.stop();
    }
    process.stdout.write(flags.json ? JSON.stringify(found, null, 2) + "\n" : formatReceipt(found));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
