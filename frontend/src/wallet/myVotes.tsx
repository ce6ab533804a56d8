/** "My votes": what the connected account claimed, where its tokens are, and every step it took, from chain events. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Address } from "viem";
import { useConnection } from "wagmi";
import { Link } from "wouter";

import { Failure, Loading } from "../components/common.js";
import { useEnvironment } from "../context.js";
import { holdings, stepsOfAddress } from "../data/events.js";
import { useProjects, useRound } from "../data/round.js";
import { rubles } from "../format.js";
import { StepsTable } from "../pages/Verify.js";
import { ConnectFirst } from "./connect.js";
import { NetworkGuard } from "./network.js";

export function MyAllocations(): ReactNode {
  const { t } = useTranslation();
  const connection = useConnection();
  return (
    <>
      <h1>{t("my.title")}</h1>
      {connection.status !== "connected" || !connection.address ? (
        <ConnectFirst />
      ) : (
        <NetworkGuard>
          <MyVotes account={connection.address} />
        </NetworkGuard>
      )}
    </>
  );
}

function MyVotes({ account }: { account: Address }): ReactNode {
  const { t } = useTranslation();
  const env = useEnvironment();
  const round = useRound();
  const projects = useProjects();
  const steps = useQuery({
    queryKey: ["verify", account, round.data?.token],
    enabled: round.data !== undefined && projects.data !== undefined,
    queryFn: () => stepsOfAddress(env, round.data!, projects.data!, account),
  });
  if (round.error ?? projects.error ?? steps.error)
    return <Failure error={round.error ?? projects.error ?? steps.error} />;
  if (!steps.data || !projects.data) return <Loading />;
  const claimed = steps.data.filter((s) => s.kind === "claim").reduce((sum, s) => sum + s.amount, 0n);
  const now = holdings(steps.data);
  const allocated = [...now.values()].reduce((sum, a) => sum + a, 0n);
  const districts = [...new Set([...now.keys()].map((id) => projects.data.find((p) => p.id === id)!.district))];
  return (
    <>
      <p>{t("vote.allowance", { amount: rubles(claimed) })}</p>
      {claimed === 0n ? <p>{t("my.nothing")}</p> : <p>{t("my.free", { amount: rubles(claimed - allocated) })}</p>}
      {districts.map((d) => (
        <p key={d}>
          <Link href={`/district/${d}`}>
            {t("my.change")}: {t("common.district")} #{d}
          </Link>
        </p>
      ))}
      <StepsTable steps={steps.data} projects={projects.data} showNow />
    </>
  );
}
