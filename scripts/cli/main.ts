/**
 * `kopilka`: the finance committee's tool. Every command connects through Hardhat's own runtime (so the networks,
 * configuration variables and keystore of hardhat.config.ts apply), checks the chain id, reads the round's state
 * and sends only what is missing.
 */
import { Command, InvalidArgumentError, Option } from "commander";

import type { RpcSource } from "@kopilka/core/node";
import { CommandError, type Connection } from "../hardhat/connection.js";
import { DEFAULT_PUBLICATION_BASE } from "@kopilka/core/publication";
import { formatProblem, InputError } from "@kopilka/core/spec";
import { auditRound, exportResults, voterReceipt, type ReadOptions } from "./audit.js";
import { consoleOutput, type CommandContext, type RoundSelector } from "./context.js";
import { deploy } from "./deploy.js";
import { finalize, RECORDABLE_STATUSES, mint, open, setStatus } from "./lifecycle.js";
import { importPabulib } from "./pabulib.js";
import { importParticipants, publishParticipants } from "./participants.js";
import {
  createContest,
  decideContest,
  deployContestFactory,
  postContestResidents,
  screenInitiative,
  showContest,
  type ScreeningAction,
} from "./contest.js";
import { createRound, showRound } from "./round.js";
import { confirmSafe, listSafe, WaitingForSafe } from "./safe.js";

interface GlobalOptions {
  network: string;
  rpc?: string;
  from?: string;
  chainId?: bigint;
  publicationDir: string;
  safe?: string;
}

const DEFAULT_NETWORK = "localhost";

const wholeNumber = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
};

/** What a run of the program ends with: commands that judge (audit) set a non-zero exit code. */
export interface RunState {
  exitCode: number;
}

export function buildProgram(state: RunState = { exitCode: 0 }): Command {
  const program = new Command("kopilka")
    .description(
      "Run a Kopilka participatory-budgeting round (deploy, create, mint, import residents, open, finalize) " +
        "and check one (audit, export, receipt)",
    )
    .option("--network <name>", "network from hardhat.config.ts", DEFAULT_NETWORK)
    .option(
      "--rpc <url>",
      "JSON-RPC endpoint of the chain (instead of the --network's URL); signs with KOPILKA_DEPLOYER_KEY when it is " +
        "configured (environment or hardhat keystore), else with the node's own accounts",
    )
    .option("--from <address>", "sign with this account of the network (default: its first)")
    .option("--chain-id <id>", "expected chain id: refuse to sign on any other chain", (value) => {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
      return BigInt(value);
    })
    .option("--publication-dir <dir>", "where the round's public files are written", DEFAULT_PUBLICATION_BASE)
    .option(
      "--safe <address>",
      "act as this Safe multisig, which the signer is an owner of: committee commands propose Safe transactions " +
        "(stored under the publication dir) and execute them once enough owners confirmed",
    )
    .showHelpAfterError()
    .addHelpText(
      "after",
      `
A round, step by step (add --rpc URL to reach any chain; the key comes from KOPILKA_DEPLOYER_KEY):
  kopilka deploy
  kopilka round create --spec round.json     (or, after a contest: --from-contest ADDR)
  kopilka mint
  kopilka participants import --csv residents.csv
  kopilka open
  ... voting ...
  kopilka finalize
  kopilka status set --project 3 --status contracted --spent 0 --document contract.pdf
  kopilka round show

With a Safe multisig holding the committee's roles, every owner runs the same commands with --safe ADDR:
  kopilka --safe ADDR mint            (proposes; a re-run finds it proposed and sends nothing new)
  kopilka --safe ADDR safe confirm    (another owner confirms; executes once the threshold is met)
  kopilka --safe ADDR safe list

A contest of initiatives before the round:
  kopilka contest deploy
  kopilka contest create --spec contest.json
  kopilka contest residents --contest ADDR --csv residents.csv
  kopilka contest admit|return|reject --contest ADDR --number N [--reason TEXT]
  kopilka contest decide --contest ADDR

Anyone, without a key:
  kopilka audit --rpc URL --round ADDR [--published DIR|URL] [--contest ADDR --contest-content DIR|URL]
  kopilka export --rpc URL --round ADDR --format csv|json|pb --out results/
  kopilka receipt --rpc URL --round ADDR --address 0x...`,
    );

  const withRound = (command: Command) =>
    command
      .option("--round <address>", "the round (default: the only round manifest under the publication dir)")
      .option("--manifest <file>", "the round's manifest (round.json)");

  program
    .command("deploy")
    .description("deploy the round factory with Ignition, or reuse the one already deployed")
    .option("--deployment-id <id>", "Ignition deployment id (default: chain-<chainId>)")
    .action(action((ctx, options: { deploymentId?: string }) => deploy(ctx, options)));

  const round = program.command("round").description("create or show a round");
  round
    .command("create")
    .description("create a round from a spec and add its districts and projects; re-running adds only what is missing")
    .requiredOption("--spec <file>", "round spec (JSON; districts and projects inline or as CSV files it names)")
    .option("--round <address>", "continue setting up this round")
    .option("--factory <address>", "round factory (default: the one `kopilka deploy` recorded)")
    .option("--new", "create another round even if one with this name but another config exists")
    .option(
      "--from-contest <address>",
      "make the projects exactly the contest's passed initiatives, in their final versions (the spec lists none)",
    )
    .option(
      "--contest-content <dir|url>",
      "where the contest's content files are (content/<hash>; default: the contest's publication dir)",
    )
    .action(
      action(
        (
          ctx,
          options: {
            spec: string;
            round?: string;
            factory?: string;
            new?: boolean;
            fromContest?: string;
            contestContent?: string;
          },
        ) => createRound(ctx, { ...options, newRound: options.new }),
      ),
    );
  const contest = program
    .command("contest")
    .description("a contest of residents' initiatives before the round: create, screen, decide");
  contest
    .command("deploy")
    .description("deploy the contest factory with Ignition, or reuse the one already deployed")
    .action(action((ctx) => deployContestFactory(ctx)));
  contest
    .command("create")
    .description(
      "create a contest from a spec (schedule, districts, criteria, pass mark, experts) and publish its template",
    )
    .requiredOption("--spec <file>", "contest spec (JSON)")
    .option("--factory <address>", "contest factory (default: the one `kopilka contest deploy` recorded)")
    .action(action((ctx, options: { spec: string; factory?: string }) => createContest(ctx, options)));
  contest
    .command("residents")
    .description("post a batch of residents (rows address[,district]) who may submit and co-sign initiatives")
    .requiredOption("--contest <address>", "the contest")
    .requiredOption("--csv <file>", "residents file")
    .action(action((ctx, options: { contest: string; csv: string }) => postContestResidents(ctx, options)));
  for (const [name, description] of [
    ["admit", "admit an initiative's current version to the expert review"],
    ["return", "return an initiative for changes, with a reason residents read"],
    ["reject", "reject an initiative, with a reason residents read"],
  ] as const) {
    contest
      .command(name)
      .description(description)
      .requiredOption("--contest <address>", "the contest")
      .addOption(
        new Option("--number <n>", "the initiative's number as the pages show it (from 1)").argParser(wholeNumber),
      )
      .addOption(
        new Option("--id <n>", "or the initiative's id on-chain (from 0: number - 1)")
          .argParser(wholeNumber)
          .conflicts("number"),
      )
      .option("--reason <text>", "why (required to return or reject; published, its hash on-chain)")
      .action(
        action((ctx, options: { contest: string; id?: number; number?: number; reason?: string }) =>
          screenInitiative(ctx, { ...options, action: name as ScreeningAction }),
        ),
      );
  }
  contest
    .command("decide")
    .description("record the outcome of every admitted initiative, after the expert review closed")
    .requiredOption("--contest <address>", "the contest")
    .action(action((ctx, options: { contest: string }) => decideContest(ctx, options)));
  contest
    .command("show")
    .description("the contest's initiatives: status, version, group, score")
    .requiredOption("--contest <address>", "the contest")
    .action(action((ctx, options: { contest: string }) => showContest(ctx, options)));

  withRound(round.command("show").description("phase, dates, districts, projects, tokens and winners")).action(
    action((ctx, options: RoundSelector) => showRound(ctx, options)),
  );

  withRound(program.command("mint").description("mint what is missing up to the budget")).action(
    action((ctx, options: RoundSelector) => mint(ctx, options)),
  );

  const participants = program.command("participants").description("verified residents and their allowances");
  withRound(
    participants
      .command("import")
      .description(
        "build the Merkle tree of residents (rows address[,district][,amount]), publish its files (tree, proof " +
          "files, list) and post its root; a resident without an amount gets the round's declared allowance",
      )
      .requiredOption("--csv <file>", "residents file"),
  ).action(action((ctx, options: RoundSelector & { csv: string }) => importParticipants(ctx, options, options)));
  withRound(
    participants
      .command("publish")
      .description(
        "write every resident's proof file and the list pages from the posted batches' published tree files " +
          "(after posting a batch from the committee's page)",
      ),
  ).action(action((ctx, options: RoundSelector) => publishParticipants(ctx, options)));

  withRound(program.command("open").description("open the round for voting (budget minted, districts add up)")).action(
    action((ctx, options: RoundSelector) => open(ctx, options)),
  );

  withRound(
    program
      .command("finalize")
      .description("choose the winners of every district not finalized yet, after the deadline")
      .option("--district <id>", "only this district", wholeNumber),
  ).action(action((ctx, options: RoundSelector & { district?: number }) => finalize(ctx, options, options)));

  const status = program.command("status").description("implementation of funded projects");
  withRound(
    status
      .command("set")
      .description("record a funded project's implementation status, amount spent and document hash")
      .requiredOption("--project <id>", "project id", wholeNumber)
      .requiredOption("--status <status>", RECORDABLE_STATUSES.join(" | "))
      .requiredOption("--spent <rubles>", "amount spent so far, in rubles")
      .requiredOption("--document <file>", "contract or act whose keccak256 goes on-chain"),
  ).action(
    action((ctx, options: RoundSelector & { project: number; status: string; spent: string; document: string }) =>
      setStatus(ctx, options, options),
    ),
  );

  program
    .command("audit")
    .description(
      "recount the round from chain data and the published files and check everything; exit 1 with every " +
        "discrepancy listed when anything does not hold",
    )
    .option("--json", "print the report as JSON (byte-identical for the same chain)")
    .option("--skip-resident-balances", "do not read each resident's on-chain balance (the residents check is skipped)")
    .option(
      "--proof-files",
      "read every resident's proof file (one request each); by default only from a directory, not over http(s)",
    )
    .option("--no-proof-files", "do not read the residents' proof files (the proofs check is skipped)")
    .option(
      "--contest <address>",
      "the contest the round was made from: check it and that the ballot is its passed set",
    )
    .option(
      "--contest-content <dir|url>",
      "the contest's content files (content/<hash>; default: the contest's publication dir)",
    );
  readOnly(program.commands.at(-1)!).action(
    readAction<{
      json?: boolean;
      skipResidentBalances?: boolean;
      proofFiles?: boolean;
      contest?: string;
      contestContent?: string;
    }>(state, async (options, base) => {
      const started = performance.now();
      const { report, text } = await auditRound(options, base);
      process.stdout.write(text);
      if (!options.json) console.error(`Audit took ${((performance.now() - started) / 1000).toFixed(2)} s`);
      return report.ok ? 0 : 1;
    }),
  );

  readOnly(
    program
      .command("export")
      .description("results per district and project, and anonymised ballots")
      .addOption(new Option("--format <format>", "csv, json or pb (Pabulib, one file per district)").choices(FORMATS))
      .option(
        "--excel",
        "CSV for Russian Excel: UTF-8 with a byte order mark, `;` between fields, amounts in rubles (1500,50)",
      )
      .option("--out <dir>", "write the files into this directory (default: print them)"),
  ).action(
    readAction<{ format?: "csv" | "json" | "pb"; out?: string; excel?: boolean }>(state, async (options, base) => {
      const format = options.format ?? "csv";
      if (options.excel && format !== "csv") throw new CommandError(`--excel writes CSV, not ${format}`);
      const { files, written } = await exportResults({ ...options, format }, base);
      if (options.out === undefined) {
        for (const [name, content] of Object.entries(files)) process.stdout.write(`# ${name}\n${content}`);
      } else for (const file of written) console.log(`Wrote ${file}`);
    }),
  );

  readOnly(
    program
      .command("receipt")
      .description("what an address claimed and put where, with transactions and block times")
      .requiredOption("--address <address>", "the voter's address")
      .option("--json", "print the receipt as JSON"),
  ).action(
    readAction<{ address: string; json?: boolean }>(state, async (options, base) => {
      process.stdout.write((await voterReceipt(options, base)).text);
    }),
  );

  const safe = program.command("safe").description("Safe multisig proposals (with --safe ADDR)");
  safe
    .command("confirm")
    .description("confirm the Safe transactions waiting (or one of them), and execute those confirmed enough")
    .option("--tx <hash>", "only this Safe transaction")
    .action(action((ctx, options: { tx?: string }) => confirmSafe(ctx, options)));
  safe
    .command("list")
    .description("the Safe's proposals, their confirmations and state")
    .action(action((ctx) => listSafe(ctx)));

  const pabulib = program.command("pabulib").description("Pabulib (pabulib.org) elections in and out");
  pabulib
    .command("import")
    .description(
      "create a round with one district per .pb file; with --replay (local Hardhat chain only) cast every " +
        "ballot through the contracts, finalize, and compare the winners with the files' selected column",
    )
    .argument("<files...>", ".pb files")
    .option("--replay", "replay every ballot on the local chain and compare the winners")
    .option("--name <name>", "round name (default: from the file names)")
    .option("--opens-at <when>", "voting opens (ISO date with time zone, or unix seconds)")
    .option("--voting-days <days>", "how long voting lasts", wholeNumber, 14)
    .action(
      async (
        files: string[],
        options: { replay?: boolean; name?: string; opensAt?: string; votingDays: number },
        command: Command,
      ) => await action((ctx) => importPabulib(ctx, { ...options, files }))(options, command),
    );
  readOnly(
    pabulib
      .command("export")
      .description("write the round's projects and anonymised ballots as .pb files, one per district")
      .option("--out <dir>", "directory for the .pb files", "pabulib"),
  ).action(
    readAction<{ out: string }>(state, async (options, base) => {
      const { written } = await exportResults({ ...options, format: "pb" }, base);
      for (const file of written) console.log(`Wrote ${file}`);
    }),
  );

  return program;
}

const FORMATS = ["csv", "json", "pb"];

interface ReadFlags extends Omit<ReadOptions, "rpc"> {
  rpc?: string;
}

/** The options of every read-only command. */
function readOnly(command: Command): Command {
  return command
    .requiredOption("--round <address>", "the round")
    .option("--rpc <url>", "any JSON-RPC endpoint (default: the --network's)")
    .option("--published <dir|url>", "the published files (default: the publication dir, if it holds the round)")
    .option(
      "--from-block <n>",
      "first block to read (default: the manifest's, else the round's deployment)",
      wholeNumber,
    )
    .option("--to-block <n>", "last block to read (default: the latest)", wholeNumber)
    .option("--factory <address>", "factory that created the round (default: the manifest's)")
    .option("--chunk <blocks>", "first log query range, in blocks", wholeNumber)
    .option("--max-chunk <blocks>", "largest log query range, in blocks", wholeNumber)
    .option(
      "--result-cap <logs>",
      "log count at which the endpoint may truncate an answer (default 10000)",
      wholeNumber,
    );
}

/**
 * Wraps a read-only command: it reads through --rpc, or else through the --network's provider; it never signs, so
 * no chain id check is needed. A returned number is the exit code.
 */
function readAction<E extends object>(
  state: RunState,
  run: (options: ReadOptions & E, publicationBase: string) => Promise<number | void>,
) {
  return async (flags: ReadFlags & E, command: Command) => {
    const globals = command.optsWithGlobals() as GlobalOptions;
    let connection: Connection | undefined;
    let rpc: RpcSource;
    const url = flags.rpc ?? globals.rpc;
    if (url !== undefined) rpc = url;
    else {
      const { network } = await import("hardhat");
      connection = await network.create({ network: globals.network });
      rpc = connection.provider;
    }
    try {
      const code = await run({ ...flags, rpc, progress: true }, globals.publicationDir);
      if (typeof code === "number") state.exitCode = code;
    } finally {
      await connection?.close();
    }
  };
}

/** Wraps a command: connects to the network, runs it, and reports failures in the committee's terms. */
function action<T>(run: (ctx: CommandContext, options: T) => Promise<unknown>) {
  return async (options: T, command: Command) => {
    const globals = command.optsWithGlobals() as GlobalOptions;
    const connection = await connect(globals);
    try {
      await run(
        {
          connection,
          chainId: globals.chainId,
          publicationBase: globals.publicationDir,
          out: consoleOutput,
          from: globals.from,
          safe: globals.safe,
        },
        options,
      );
    } finally {
      await connection.close();
    }
  };
}

/**
 * The network connection of a signing command. `--rpc URL` replaces the network's URL; with the default network it
 * signs with the configured key (the `remote` network's KOPILKA_DEPLOYER_KEY, from the environment or Hardhat's
 * keystore) when there is one, and otherwise with the node's own unlocked accounts (a local node).
 */
async function connect(globals: GlobalOptions): Promise<Connection> {
  const { network } = await import("hardhat");
  if (globals.rpc === undefined) return await network.create({ network: globals.network });
  const override = { url: globals.rpc };
  if (globals.network !== DEFAULT_NETWORK) return await network.create({ network: globals.network, override });
  const remote = await network.create({ network: "remote", override });
  if (await hasConfiguredKey(remote)) return remote;
  await remote.close();
  return await network.create({ network: DEFAULT_NETWORK, override });
}

/** Whether the connection's accounts resolve: a configured key rather than a missing configuration variable. */
async function hasConfiguredKey(connection: Connection): Promise<boolean> {
  const config = connection.networkConfig;
  if (config.type !== "http" || !Array.isArray(config.accounts)) return false;
  try {
    await Promise.all(config.accounts.map((account) => account.get()));
    return true;
  } catch {
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const state: RunState = { exitCode: 0 };
    await buildProgram(state).parseAsync(argv);
    return state.exitCode;
  } catch (error) {
    if (error instanceof WaitingForSafe) {
      console.log(error.message);
      return 0;
    }
    if (error instanceof InputError) {
      console.error(`Nothing was sent. ${error.problems.length} problem(s) in the input:`);
      for (const problem of error.problems) console.error(`  ${formatProblem(problem)}`);
    } else if (error instanceof CommandError || (error instanceof Error && !process.env.KOPILKA_DEBUG)) {
      // Hardhat's and ethers' messages name the cause; KOPILKA_DEBUG=1 shows the stack as well.
      console.error(`Error: ${error.message}`);
    } else {
      console.error(error);
    }
    return 1;
  }
}
