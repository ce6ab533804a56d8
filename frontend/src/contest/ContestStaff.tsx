/**
 * The committee's screening page (`/contest-staff/screening`) and the experts' scoring page
 * (`/contest-staff/scoring`), with a wallet: the committee admits, returns (with a published reason) or rejects each
 * application waiting for it, and records the outcomes once the review has closed; an expert scores each admitted
 * application on the template's criteria, writes a comment and signs the score sheet, which the services relay. Once
 * the outcomes are recorded, the committee creates the round from the contest on the screening page: its projects are
 * the passed initiatives (the committee's own round form, `CreateRound`, with the contest's projects).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Abi, Address, Hex } from "viem";
import { readContract } from "viem/actions";
import { useConnection, useSignTypedData } from "wagmi";

import { contestAbi } from "@kopilka/core/abi";
import { ContestReader, passedInitiatives } from "@kopilka/core/chain";
import { contentHash, initiativeNumber, noteDocument } from "@kopilka/core/contest";
import { SignatureScheme } from "@kopilka/core/keys";
import { useChainEnvironment } from "../chain.js";
import { Failure, Loading } from "../components/common.js";
import { CreateRound } from "../committee/CreateRound.js";
import { rubles } from "../format.js";
import { addStaffStrings, STAFF_TX_WORDS } from "../staff/strings.js";
import { ConnectFirst, NetworkGuard, TxStatus, useTransaction } from "../wallet/wallet.js";
import "./contest.css";
import { ContentRefusal, fetchContent, uploadContent } from "./content.js";
import { readInitiatives, useContestInfo, type ContestInfo, type InitiativeSummary } from "./data.js";
import { followJob, relaySheet } from "./relayApi.js";
import { addContestStaffStrings } from "./staffStrings.js";

const ZERO = `0x${"0".repeat(64)}` as Hex;

export function ContestStaff({ page }: { page: "screening" | "scoring" }): ReactNode {
  // The transaction lines' words ("staff.tx.*") are the committee pages' own.
  addStaffStrings();
  addContestStaffStrings();
  const { t } = useTranslation();
  const connection = useConnection();
  const { env, services, contest, info } = useContestInfo();
  const list = useQuery({
    queryKey: ["initiatives", contest],
    enabled: contest !== undefined && services !== undefined,
    queryFn: () => readInitiatives(env, services!, contest!),
  });
  if (!contest || !services) return <p className="notice">{t("contest.unavailable")}</p>;
  const error = info.error ?? list.error;
  if (error) return <Failure error={error} retry={() => void Promise.all([info.refetch(), list.refetch()])} />;
  if (!info.data || !list.data) return <Loading />;
  return (
    <section>
      <h1>{t(`contestStaff.${page}.title`)}</h1>
      <p>{t(`contestStaff.${page}.intro`)}</p>
      {connection.status !== "connected" || !connection.address ? (
        <ConnectFirst />
      ) : (
        <NetworkGuard>
          {page === "screening" ? (
            <Screening info={info.data} initiatives={list.data} services={services} account={connection.address} />
          ) : (
            <Scoring info={info.data} initiatives={list.data} services={services} account={connection.address} />
          )}
        </NetworkGuard>
      )}
    </section>
  );
}

function Heading({ initiative }: { initiative: InitiativeSummary }): ReactNode {
  const { t } = useTranslation();
  return (
    <>
      <h2>
        {t("contest.page.number", { number: initiativeNumber(initiative.id) })}: {initiative.fields?.title}
      </h2>
      <p className="small">
        {t("contest.page.version", { version: initiative.version })} ·{" "}
        {initiative.fields && rubles(BigInt(initiative.fields.cost.totalKopecks))} ·{" "}
        <a href={`/contest/initiative/${initiative.id}`} target="_blank" rel="noreferrer">
          {t("contest.done.toPage")}
        </a>
      </p>
    </>
  );
}

function Screening({
  info,
  initiatives,
  services,
  account,
}: {
  info: ContestInfo;
  initiatives: InitiativeSummary[];
  services: string;
  account: Address;
}): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const queryClient = useQueryClient();
  const committee = useQuery({
    queryKey: ["contestRole", info.address, account],
    queryFn: async () => {
      const role = (await contestRead(env, info.address, "COMMITTEE_ROLE")) as Hex;
      return (await contestRead(env, info.address, "hasRole", [role, account])) as boolean;
    },
  });
  const { tx, busy, send } = useTransaction(contestAbi as unknown as Abi, 300);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string>();
  if (committee.isLoading) return <Loading />;
  if (!committee.data) return <p className="notice error">{t("contestStaff.screening.notCommittee")}</p>;
  const waiting = initiatives.filter((i) => i.status === "submitted");
  const admitted = initiatives.filter((i) => i.status === "admitted");

  async function act(initiative: InitiativeSummary, action: "admit" | "returnForChanges" | "reject") {
    const key = initiative.id.toString();
    let args: unknown[] = [initiative.id, initiative.version];
    if (action !== "admit") {
      const text = (reasons[key] ?? "").trim();
      if (text === "") {
        setMissing(key);
        return;
      }
      setMissing(undefined);
      const bytes = noteDocument(text);
      await uploadContent(services, bytes, "application/json");
      args = [...args, contentHash(bytes)];
    }
    await send([{ address: info.address, functionName: action, args }]);
    await queryClient.invalidateQueries({ queryKey: ["initiatives", info.address] });
  }

  return (
    <>
      <TxStatus tx={tx} words={STAFF_TX_WORDS} />
      {waiting.length === 0 && <p className="muted">{t("contestStaff.screening.none")}</p>}
      {waiting.map((initiative) => {
        const key = initiative.id.toString();
        return (
          <article key={key} className="card staff" data-screening={key}>
            <div className="body">
              <Heading initiative={initiative} />
              <p>{t("contestStaff.screening.group", { count: initiative.group, needed: info.minGroup })}</p>
              <label className="field">
                <span>{t("contestStaff.screening.reason")}</span>
                <textarea
                  rows={3}
                  value={reasons[key] ?? ""}
                  onChange={(e) => setReasons({ ...reasons, [key]: e.target.value })}
                  data-testid={`reason-${key}`}
                />
              </label>
              {missing === key && <p className="error small">{t("contestStaff.screening.needReason")}</p>}
              <p className="buttons">
                <button
                  type="button"
                  className="primary"
                  disabled={busy || initiative.group < info.minGroup}
                  onClick={() => void act(initiative, "admit")}
                  data-testid={`admit-${key}`}
                >
                  {t("contestStaff.screening.admit")}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void act(initiative, "returnForChanges")}
                  data-testid={`return-${key}`}
                >
                  {t("contestStaff.screening.return")}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void act(initiative, "reject")}
                  data-testid={`reject-${key}`}
                >
                  {t("contestStaff.screening.reject")}
                </button>
              </p>
            </div>
          </article>
        );
      })}
      {admitted.length > 0 && info.now >= info.reviewClosesAt && (
        <section className="card staff">
          <div className="body">
            <p>{t("contestStaff.screening.decideHint")}</p>
            <button
              type="button"
              className="primary"
              disabled={busy}
              data-testid="decide"
              onClick={() =>
                void send([{ address: info.address, functionName: "decide", args: [admitted.map((i) => i.id)] }]).then(
                  () => queryClient.invalidateQueries({ queryKey: ["initiatives", info.address] }),
                )
              }
            >
              {t("contestStaff.screening.decide")}
            </button>
          </div>
        </section>
      )}
      {admitted.length === 0 && info.now >= info.reviewClosesAt && (
        <RoundFromContest info={info} services={services} account={account} />
      )}
    </>
  );
}

/** The round made of the contest's passed initiatives, read and checked against their hashes as the CLI does. */
function RoundFromContest({ info, services, account }: { info: ContestInfo; services: string; account: Address }) {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const passed = useQuery({
    queryKey: ["passedInitiatives", info.address],
    queryFn: () =>
      passedInitiatives(new ContestReader(env.rpc, info.address), (hash) =>
        fetchContent(services, hash).catch((error: unknown) => {
          if (error instanceof ContentRefusal && error.code === "not-found") return undefined;
          throw error;
        }),
      ),
  });
  if (passed.error) return <Failure error={passed.error} retry={() => void passed.refetch()} />;
  if (!passed.data) return <Loading />;
  return (
    <section className="card staff" data-testid="round-from-contest" aria-labelledby="round-from-contest-title">
      <div className="body">
        <h2 id="round-from-contest-title">{t("contestStaff.round.title")}</h2>
        {passed.data.length === 0 ? (
          <p>{t("contestStaff.round.none")}</p>
        ) : (
          <>
            <p>{t("contestStaff.round.intro")}</p>
            <CreateRound
              account={account}
              fromContest={{ address: info.address, districts: info.template.districts, passed: passed.data }}
            />
          </>
        )}
      </div>
    </section>
  );
}

function Scoring({
  info,
  initiatives,
  services,
  account,
}: {
  info: ContestInfo;
  initiatives: InitiativeSummary[];
  services: string;
  account: Address;
}): ReactNode {
  const { t } = useTranslation();
  if (!info.experts.some((e) => e.toLowerCase() === account.toLowerCase())) {
    return <p className="notice error">{t("contestStaff.scoring.notExpert")}</p>;
  }
  const admitted = initiatives.filter((i) => i.status === "admitted");
  if (admitted.length === 0) return <p className="muted">{t("contestStaff.scoring.none")}</p>;
  return (
    <>
      {admitted.map((initiative) => (
        <Sheet
          key={initiative.id.toString()}
          info={info}
          initiative={initiative}
          services={services}
          account={account}
        />
      ))}
    </>
  );
}

function Sheet({
  info,
  initiative,
  services,
  account,
}: {
  info: ContestInfo;
  initiative: InitiativeSummary;
  services: string;
  account: Address;
}): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { signTypedDataAsync } = useSignTypedData();
  const criteria = info.template.criteria;
  const [scores, setScores] = useState<string[]>(criteria.map(() => ""));
  const [comment, setComment] = useState("");
  const [noConflict, setNoConflict] = useState(false);
  const [state, setState] = useState<{ busy?: boolean; sent?: boolean; failure?: string }>({});
  const key = initiative.id.toString();
  const scored = useQuery({
    queryKey: ["hasScored", info.address, key, account],
    queryFn: async () => (await contestRead(env, info.address, "hasScored", [initiative.id, account])) as boolean,
  });
  const valid = noConflict && scores.every((s, i) => /^\d+$/.test(s) && Number(s) <= criteria[i].maxScore);

  async function sign() {
    setState({ busy: true });
    try {
      let commentHash = ZERO;
      if (comment.trim() !== "") {
        const bytes = noteDocument(comment.trim());
        commentHash = await uploadContent(services, bytes, "application/json");
      }
      const block = await env.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
      const where = { services, chainId: env.config.chainId, contest: info.address, now: BigInt(block!.timestamp) };
      const job = await relaySheet(
        where,
        {
          account,
          sign: async (data) => ({
            scheme: SignatureScheme.Secp256k1,
            signature: await signTypedDataAsync({ account, ...data } as unknown as Parameters<
              typeof signTypedDataAsync
            >[0]),
          }),
        },
        {
          initiative: initiative.id,
          version: initiative.version,
          contentHash: initiative.contentHash,
          criteriaHash: info.criteriaHash,
          scores: scores.map(Number),
          commentHash,
          noConflict,
        },
      );
      const settled = await followJob(services, job.id);
      if (settled.status !== "applied") throw new Error(settled.reason ?? settled.status);
      setState({ sent: true });
      await scored.refetch();
    } catch (error) {
      setState({ failure: error instanceof Error ? error.message.split("\n")[0] : String(error) });
    }
  }

  return (
    <article className="card staff" data-sheet={key}>
      <div className="body">
        <Heading initiative={initiative} />
        {scored.data ? (
          <p className="notice ok">{state.sent ? t("contestStaff.scoring.sent") : t("contestStaff.scoring.scored")}</p>
        ) : (
          <>
            <div className="scores">
              {criteria.map((criterion, i) => (
                <label key={i} className="field">
                  <span>
                    {t("contestStaff.scoring.criterion", {
                      name: criterion.name,
                      max: criterion.maxScore,
                      weight: criterion.weight,
                    })}
                  </span>
                  <input
                    inputMode="numeric"
                    value={scores[i]}
                    onChange={(e) => setScores(scores.map((s, j) => (j === i ? e.target.value : s)))}
                    data-testid={`score-${key}-${i}`}
                  />
                </label>
              ))}
            </div>
            <label className="field">
              <span>{t("contestStaff.scoring.comment")}</span>
              <textarea rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
            </label>
            <label className="choice">
              <input
                type="checkbox"
                checked={noConflict}
                onChange={(e) => setNoConflict(e.target.checked)}
                data-testid={`no-conflict-${key}`}
              />{" "}
              {t("contestStaff.scoring.noConflict")}
            </label>
            {state.failure && (
              <p className="notice error" role="alert">
                {t("contestStaff.failed", { reason: state.failure })}
              </p>
            )}
            <p className="buttons">
              <button
                type="button"
                className="primary"
                disabled={!valid || state.busy}
                onClick={() => void sign()}
                data-testid={`sign-${key}`}
              >
                {state.busy ? t("contestStaff.scoring.signing") : t("contestStaff.scoring.sign")}
              </button>
            </p>
          </>
        )}
      </div>
    </article>
  );
}

function contestRead(
  env: ReturnType<typeof useChainEnvironment>,
  contest: Address,
  functionName: string,
  args: unknown[] = [],
) {
  return readContract(env.client, {
    address: contest,
    abi: contestAbi,
    functionName,
    args,
  } as never) as Promise<unknown>;
}
