/**
 * The contest's pages, one lazy chunk under `/contest` (the read-only round pages never load it; its entry in the
 * route table, ../routes.tsx, is `/contest/*?`):
 *
 *   /contest                       "Инициативы": the list, by district and status
 *   /contest/propose               "Предложить проект": the application form, check, send
 *   /contest/initiative/:id        an initiative: its current version, group, history, review; join its group
 *   /contest/initiative/:id/amend  a new version of one's own initiative
 *
 * The contest is the runtime configuration's `contest`; its documents and the relay are the resident services'.
 */
import "./contest.css";

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Route, Router, Switch } from "wouter";

import { Failure, Loading } from "../components/common.js";
import { useContestInfo, type ContestInfo } from "./data.js";
import { InitiativePage } from "./InitiativePage.js";
import { Initiatives } from "./Initiatives.js";
import { Propose } from "./Propose.js";

export interface ContestContext {
  info: ContestInfo;
  services: string;
  chainId: number;
  fromBlock: bigint;
  districtName: (id: number) => string;
}

export function ContestPages(): ReactNode {
  const { t } = useTranslation();
  const { env, services, contest, info } = useContestInfo();
  if (!contest || !services) return <p className="notice">{t("contest.unavailable")}</p>;
  if (info.error) return <Failure error={info.error} retry={() => void info.refetch()} />;
  if (!info.data) return <Loading />;
  const context: ContestContext = {
    info: info.data,
    services,
    chainId: env.config.chainId,
    fromBlock: BigInt(env.config.contestFromBlock ?? 0),
    districtName: (id) => info.data.template.districts[id] ?? `№ ${id + 1}`,
  };
  // The pages' paths are the contest's own (`/propose`, `/initiative/0`): this router puts them under /contest.
  return (
    <Router base="/contest">
      <Switch>
        <Route path="/">{() => <Initiatives context={context} />}</Route>
        <Route path="/propose">{() => <Propose context={context} />}</Route>
        <Route path="/initiative/:id">{(p) => <InitiativePage key={p.id} context={context} id={BigInt(p.id)} />}</Route>
        <Route path="/initiative/:id/amend">
          {(p) => <Propose key={p.id} context={context} amend={BigInt(p.id)} />}
        </Route>
      </Switch>
    </Router>
  );
}
