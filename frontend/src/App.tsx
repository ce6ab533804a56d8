import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Route, Switch } from "wouter";

import { Loading } from "./components/common.js";
import { Layout } from "./components/Layout.js";
import { District } from "./pages/District.js";
import { Overview } from "./pages/Overview.js";
import { Project } from "./pages/Project.js";
import { useWalletGate } from "./wallet/gate.js";

// Results and verification are split off: the first visit (overview, a district) loads the least JavaScript.
const Results = lazy(() => import("./pages/Results.js").then((m) => ({ default: m.Results })));
const Verify = lazy(() => import("./pages/Verify.js").then((m) => ({ default: m.Verify })));

// The committee's and the observers' pages are chunks of their own: residents never download them.
const CommitteeChunk = lazy(() => import("./committee/Committee.js").then((m) => ({ default: m.CommitteePage })));
const Observers = lazy(() => import("./observers/Observers.js").then((m) => ({ default: m.Observers })));
const Implemented = lazy(() => import("./observers/Implemented.js").then((m) => ({ default: m.Implemented })));

/** The committee acts through the wallet: its chunk renders once the wallet's is there. */
function Committee(): ReactNode {
  const gate = useWalletGate();
  useEffect(() => {
    if (!gate.wallet) gate.load();
  }, [gate]);
  return gate.wallet ? <CommitteeChunk /> : <Loading />;
}

/** My votes need the wallet: the page loads its chunk when opened. */
function MyVotes(): ReactNode {
  const gate = useWalletGate();
  useEffect(() => {
    if (!gate.wallet) gate.load();
  }, [gate]);
  return gate.wallet ? <gate.wallet.MyAllocations /> : <Loading />;
}

function NotFound(): ReactNode {
  const { t } = useTranslation();
  return <p>{t("common.notFound")}</p>;
}

export function App(): ReactNode {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/">{() => <Overview />}</Route>
          <Route path="/district/:id">{(p) => <District key={p.id} id={Number(p.id)} />}</Route>
          <Route path="/project/:id">{(p) => <Project key={p.id} id={Number(p.id)} />}</Route>
          <Route path="/results">{() => <Results />}</Route>
          <Route path="/results/:id">{(p) => <Results key={p.id} districtId={Number(p.id)} />}</Route>
          <Route path="/verify">{() => <Verify />}</Route>
          <Route path="/my">{() => <MyVotes />}</Route>
          <Route path="/committee">{() => <Committee />}</Route>
          <Route path="/observers">{() => <Observers />}</Route>
          <Route path="/implemented">{() => <Implemented />}</Route>
          <Route>{() => <NotFound />}</Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}
