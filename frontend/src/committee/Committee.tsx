/**
 * The committee's pages (a lazily loaded chunk, rendered inside the wallet's chunk): create a round, then run it
 * — mint the budget, post the residents' tree, open voting, finalize districts, record implementation. Each
 * section shows only to an account holding the role the contract requires for it (`hasRole` on the round).
 */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { getAbiItem, isAddress, keccak256, parseEventLogs, type Address } from "viem";
import { getLogs } from "viem/actions";
import { useConnection } from "wagmi";
import { useSearch } from "wouter";

import { parseRubles } from "@kopilka/core/money";
import { buildParticipantTree } from "@kopilka/core/participants";
import { assignAllowances, parseResidents, residentCapacity, type Allowances } from "@kopilka/core/residents";
import { decodeTableFile, InputError, type InputProblem } from "@kopilka/core/spec";
import { Failure, Loading, useChainNow } from "../components/common.js";
import { useChainEnvironment } from "../chain.js";
import { EnvironmentContext } from "../context.js";
import {
  Phase,
  roundReader,
  useDistricts,
  useOutcomes,
  useProjects,
  useProjectTexts,
  useRound,
  type RoundInfo,
} from "../data/round.js";
import { dateTime, rubles, rublesPlain, shortAddress } from "../format.js";
import { airdropAbi } from "@kopilka/core/abi";
import { airdropReadAbi } from "@kopilka/core/abi/reads";
import { ROUND_ROLES, type RoleName } from "@kopilka/core/chain";
import { Download } from "../staff/download.js";
import { addStaffStrings } from "../staff/strings.js";
import { phaseName, statusName } from "../glossary.js";
import { ConnectFirst, NetworkGuard } from "../wallet/wallet.js";
import { CreateContest } from "./CreateContest.js";
import { CreateRound, Problems } from "./CreateRound.js";
import { SafeConfirmations } from "./Safe.js";
import { TxLine, useSender } from "./tx.js";

addStaffStrings();

export function CommitteePage(): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const connection = useConnection();
  const wanted = new URLSearchParams(useSearch()).get("round");
  const round = (wanted && isAddress(wanted) ? wanted : env.config.round) as Address;
  // A round other than the configured one gets its own environment and query cache, so that the shared read
  // hooks (data/round.ts) read it without mixing its answers with the configured round's.
  const scoped = useMemo(
    () => ({ environment: { config: { ...env.config, round } }, queries: new QueryClient() }),
    [env, round],
  );
  return (
    <>
      <h1>{t("staff.committee.title")}</h1>
      <p>{t("staff.committee.intro")}</p>
      {connection.status !== "connected" || !connection.address ? (
        <ConnectFirst />
      ) : (
        <NetworkGuard>
          <EnvironmentContext.Provider value={scoped.environment}>
            <QueryClientProvider client={scoped.queries}>
              <ManagedRound account={connection.address} />
            </QueryClientProvider>
          </EnvironmentContext.Provider>
          <section className="card staff" aria-labelledby="create-title">
            <h2 id="create-title">{t("staff.committee.create.title")}</h2>
            <CreateRound account={connection.address} />
          </section>
          <CreateContest account={connection.address} />
          <SafeConfirmations account={connection.address} />
        </NetworkGuard>
      )}
    </>
  );
}

function useRoles(account: Address) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["roles", account],
    queryFn: async (): Promise<Set<RoleName>> => {
      const held = await Promise.all(ROUND_ROLES.map((role) => roundReader(env).hasRole(role, account)));
      return new Set(ROUND_ROLES.filter((_, i) => held[i]));
    },
  });
}

function ManagedRound({ account }: { account: Address }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const round = useRound();
  const roles = useRoles(account);
  const supply = useQuery({
    queryKey: ["supply", round.data?.token],
    enabled: round.data !== undefined,
    queryFn: () => roundReader(env).totalSupply(round.data!.token),
  });
  if (round.error ?? roles.error) return <Failure error={round.error ?? roles.error} />;
  if (!round.data || !roles.data) return <Loading />;
  const r = round.data;
  const has = (role: RoleName): boolean => roles.data.has(role);
  return (
    <section className="card staff" aria-labelledby="managed-title" data-round={env.config.round}>
      <h2 id="managed-title">
        {r.name} <span className="small mono">{shortAddress(env.config.round)}</span>
      </h2>
      <p>{t("staff.committee.phase", { phase: phaseName(t, r.phase) })}</p>
      {supply.data !== undefined && (
        <p>{t("staff.committee.supply", { supply: rubles(supply.data), budget: rubles(r.budget) })}</p>
      )}
      <p data-testid="roles">
        {roles.data.size === 0
          ? t("staff.committee.noRoles")
          : t("staff.committee.roles", {
              roles: ROUND_ROLES.filter(has)
                .map((role) => t(`staff.committee.roleNames.${role}`))
                .join(", "),
            })}
      </p>
      {has("minter") && r.phase === Phase.Setup && !r.opened && supply.data !== undefined && (
        <Mint round={r} supply={supply.data} />
      )}
      {has("registrar") && r.phase < Phase.Closed && supply.data !== undefined && (
        <Residents round={r} supply={supply.data} />
      )}
      {has("committee") && !r.opened && r.phase === Phase.Setup && <Open />}
      {r.phase >= Phase.Closed && <Finalize round={r} />}
      {r.phase < Phase.Closed && (
        <p className="small muted">{t("staff.committee.finalize.wait", { date: dateTime(r.closesAt) })}</p>
      )}
      {has("reporter") && r.phase >= Phase.Closed && <Implementation />}
    </section>
  );
}

function Mint({ round, supply }: { round: RoundInfo; supply: bigint }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { tx, send, busy } = useSender();
  const missing = round.budget - supply;
  return (
    <div className="step" data-step="mint">
      <h3>{t("staff.committee.mint.title")}</h3>
      {missing === 0n ? (
        <p>{t("staff.committee.mint.done")}</p>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void send([{ address: env.config.round, functionName: "mint", args: [missing] }])}
        >
          {t("staff.committee.mint.button", { amount: rubles(missing) })}
        </button>
      )}
      <TxLine tx={tx} />
    </div>
  );
}

const BATCH_POSTED = getAbiItem({ abi: airdropReadAbi, name: "BatchPosted" });

/** What the registrar has posted so far: the allowances of later batches come out of the rest of the budget. */
function usePostedTotal(round: RoundInfo) {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["posted", round.airdrop],
    queryFn: async () => {
      const logs = await getLogs(env.client, {
        address: round.airdrop,
        event: BATCH_POSTED,
        fromBlock: BigInt(env.config.fromBlock ?? 0),
        strict: true,
      });
      return logs.reduce((sum, log) => sum + log.args.total, 0n);
    },
  });
}

function Residents({ round, supply }: { round: RoundInfo; supply: bigint }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const districts = useDistricts();
  const posted = usePostedTotal(round);
  const { tx, send, busy } = useSender();
  const [parsed, setParsed] = useState<{ allowances?: Allowances; problems: InputProblem[] }>();
  const [batch, setBatch] = useState<{ id: bigint; dump: string }>();
  const tree = useMemo(
    () => (parsed?.allowances ? buildParticipantTree(parsed.allowances.participants) : undefined),
    [parsed],
  );
  if (!districts.data || posted.data === undefined) return <Loading />;
  const unallocated = round.budget - posted.data;
  const capacity = residentCapacity({ supply, postedTotal: posted.data, allowance: round.allowance });

  const load = (name: string, bytes: Uint8Array): void => {
    setBatch(undefined);
    try {
      const rows = parseResidents(
        decodeTableFile(bytes, name).text,
        name,
        districts.data.map((d) => d.name),
      );
      setParsed({
        allowances: assignAllowances(rows, { unposted: unallocated, allowance: round.allowance }, name),
        problems: [],
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      setParsed({ problems: error.problems });
    }
  };
  const post = async (): Promise<void> => {
    if (!tree || !parsed?.allowances) return;
    const receipts = await send([
      { address: env.config.round, functionName: "postBatch", args: [tree.root, parsed.allowances.total] },
    ]);
    if (!receipts) return;
    const [event] = parseEventLogs({ abi: airdropAbi, logs: receipts[0].logs, eventName: "BatchPosted" });
    setBatch({ id: event.args.batchId, dump: JSON.stringify(tree.dump()) });
  };
  const a = parsed?.allowances;
  return (
    <div className="step" data-step="residents">
      <h3>{t("staff.committee.residents.title")}</h3>
      <p>{t("staff.committee.residents.unallocated", { amount: rubles(unallocated) })}</p>
      <p data-testid="capacity">
        {capacity === undefined
          ? t("staff.committee.residents.noAllowance")
          : t("staff.committee.residents.capacity", { each: rubles(round.allowance), count: Number(capacity) })}
      </p>
      <label className="field">
        <span>{t("staff.committee.residents.file")}</span>
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.arrayBuffer().then((bytes) => load(file.name, new Uint8Array(bytes)));
          }}
        />
      </label>
      <Problems checked={parsed} />
      {a && tree && (
        <>
          <p data-testid="residents-summary">
            {t("staff.committee.residents.summary", {
              count: a.participants.length,
              each: rubles(a.each),
              total: rubles(a.total),
              remainder: rubles(a.remainder),
            })}
          </p>
          <p className="mono small">{t("staff.committee.residents.root", { root: tree.root })}</p>
          {!batch && (
            <button type="button" className="primary" disabled={busy} onClick={() => void post()}>
              {t("staff.committee.residents.post")}
            </button>
          )}
        </>
      )}
      <TxLine tx={tx} />
      {batch && (
        <p role="status">
          {t("staff.committee.residents.posted", { batch: batch.id.toString() })}{" "}
          <Download name={`batch-${batch.id}.json`} path={`participants/batch-${batch.id}.json`} content={batch.dump} />
        </p>
      )}
    </div>
  );
}

function Open(): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { tx, send, busy } = useSender();
  return (
    <div className="step" data-step="open">
      <h3>{t("staff.committee.open.title")}</h3>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => void send([{ address: env.config.round, functionName: "open", args: [] }])}
      >
        {t("staff.committee.open.button")}
      </button>
      <TxLine tx={tx} />
    </div>
  );
}

function Finalize({ round }: { round: RoundInfo }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const districts = useDistricts();
  const { tx, send, busy } = useSender();
  const now = useChainNow(round);
  if (now < Number(round.closesAt)) return null;
  if (!districts.data) return <Loading />;
  return (
    <div className="step" data-step="finalize">
      <h3>{t("staff.committee.finalize.title")}</h3>
      <ul>
        {districts.data.map((d) => (
          <li key={d.id} data-district={d.id}>
            {d.finalized ? (
              t("staff.committee.finalize.done", { name: d.name, funded: rubles(d.funded) })
            ) : (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void send([{ address: env.config.round, functionName: "finalize", args: [BigInt(d.id)] }])
                }
              >
                {t("staff.committee.finalize.button", { name: d.name })}
              </button>
            )}
          </li>
        ))}
      </ul>
      <TxLine tx={tx} />
    </div>
  );
}

function Implementation(): ReactNode {
  const { t } = useTranslation();
  const projects = useProjects();
  const districts = useDistricts();
  const anyFinal = districts.data?.some((d) => d.finalized) ?? false;
  const outcomes = useOutcomes(
    projects.data?.map((p) => p.id),
    anyFinal,
  );
  const texts = useProjectTexts(projects.data ?? []);
  if (!anyFinal) return null;
  if (!projects.data || !outcomes.data) return <Loading />;
  const funded = projects.data.filter((p) => outcomes.data.get(p.id)?.funded);
  return (
    <div className="step" data-step="implementation">
      <h3>{t("staff.committee.implementation.title")}</h3>
      {funded.length === 0 && <p>{t("staff.committee.implementation.none")}</p>}
      {funded.map((p) => (
        <ImplementationForm
          key={p.id}
          projectId={p.id}
          title={texts.get(p.id)?.title ?? t("common.projectNumber", { id: p.id })}
          cost={p.cost}
          current={outcomes.data.get(p.id)!}
        />
      ))}
    </div>
  );
}

function ImplementationForm({
  projectId,
  title,
  cost,
  current,
}: {
  projectId: number;
  title: string;
  cost: bigint;
  current: { status: number; spent: bigint };
}): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { tx, send, busy } = useSender();
  const [status, setStatus] = useState(Math.max(1, current.status));
  const [spent, setSpent] = useState(current.spent === 0n ? "" : rublesPlain(current.spent));
  const [documentHash, setDocumentHash] = useState<`0x${string}`>(`0x${"0".repeat(64)}`);
  const amount = parseRubles(spent === "" ? "0" : spent);
  const id = `impl-${projectId}`;
  return (
    <form
      className="implementation"
      data-project={projectId}
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if ("error" in amount) return;
        void send([
          {
            address: env.config.round,
            functionName: "recordImplementation",
            args: [BigInt(projectId), status, amount.kopecks, documentHash],
          },
        ]);
      }}
    >
      <h4 id={`${id}-title`}>
        {title} · {rubles(cost)}
      </h4>
      <p className="small">{statusName(t, current.status)}</p>
      <label className="field">
        <span>{t("staff.committee.implementation.status")}</span>
        <select value={status} onChange={(e) => setStatus(Number(e.target.value))}>
          {[1, 2, 3, 4].map((s) => (
            <option key={s} value={s}>
              {statusName(t, s)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t("staff.committee.implementation.spent")}</span>
        <input inputMode="decimal" value={spent} onChange={(e) => setSpent(e.target.value)} />
      </label>
      {"error" in amount && <p className="error small">{amount.error}</p>}
      <label className="field">
        <span>{t("staff.committee.implementation.document")}</span>
        <input
          type="file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.arrayBuffer().then((bytes) => setDocumentHash(keccak256(new Uint8Array(bytes))));
          }}
        />
      </label>
      <p className="mono small" data-testid="document-hash">
        {t("staff.committee.implementation.hash", { hash: documentHash })}
      </p>
      <button type="submit" className="primary" disabled={busy || "error" in amount}>
        {t("staff.committee.implementation.record")}
      </button>
      <TxLine tx={tx} />
    </form>
  );
}
