/** "My vote": what the signed-in resident received, where their rubles are, and every step they took. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Address } from "viem";
import { useConnection } from "wagmi";
import { Link } from "wouter";

import { useChainEnvironment } from "../chain.js";
import { useBrowserResident } from "../resident/resident.js";
import { Failure, Loading } from "../components/common.js";
import { holdings, stepsOfAddress } from "../data/events.js";
import { useDistricts, useProjects, useProjectTexts, useRound } from "../data/round.js";
import { rubles } from "../format.js";
import { StepsTable } from "../pages/Verify.js";
import { SignInPrompt } from "./connect.js";
import { NetworkGuard } from "./network.js";
import { WalletScope } from "./provider.js";

export function MyAllocations(): ReactNode {
  return (
    <WalletScope>
      <MyAllocationsInScope />
    </WalletScope>
  );
}

function MyAllocationsInScope(): ReactNode {
  const { t } = useTranslation();
  const connection = useConnection();
  const resident = useBrowserResident();
  // Signed in by phone (and no wallet): the browser key's account, once it is on the list.
  const phoneAccount =
    connection.status !== "connected" && resident.state === "enrolled" && resident.status?.status === "posted"
      ? resident.key.account
      : undefined;
  return (
    <>
      <h1>{t("my.title")}</h1>
      {phoneAccount ? (
        <MyVotes account={phoneAccount} />
      ) : connection.status !== "connected" || !connection.address ? (
        <>
          <p>{t("my.signIn")}</p>
          <SignInPrompt />
        </>
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
  const env = useChainEnvironment();
  const round = useRound();
  const projects = useProjects();
  const districts = useDistricts();
  const texts = useProjectTexts(projects.data ?? []);
  const steps = useQuery({
    queryKey: ["verify", account, round.data?.token],
    enabled: round.data !== undefined && projects.data !== undefined,
    queryFn: () => stepsOfAddress(env, round.data!, projects.data!, account),
  });
  const error = round.error ?? projects.error ?? steps.error;
  if (error) return <Failure error={error} retry={() => void steps.refetch()} />;
  if (!steps.data || !projects.data) return <Loading />;
  const claimed = steps.data.filter((s) => s.kind === "claim").reduce((sum, s) => sum + s.amount, 0n);
  const now = holdings(steps.data);
  const allocated = [...now.values()].reduce((sum, a) => sum + a, 0n);
  const inDistricts = [...new Set([...now.keys()].map((id) => projects.data.find((p) => p.id === id)!.district))];
  const title = (id: number): string => texts.get(id)?.title ?? t("common.projectNumber", { id });
  return (
    <>
      <p>{t("my.yours", { amount: rubles(claimed) })}</p>
      {claimed === 0n ? <p>{t("my.nothing")}</p> : <p>{t("my.free", { amount: rubles(claimed - allocated) })}</p>}
      {inDistricts.map((d) => (
        <p key={d}>
          <Link href={`/district/${d}`}>
            {t("my.change", { name: districts.data?.[d]?.name ?? t("common.district") })}
          </Link>
        </p>
      ))}
      <StepsTable steps={steps.data} title={title} showNow showAccount={false} />
    </>
  );
}
