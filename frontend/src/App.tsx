import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Switch } from "wouter";

import { Loading } from "./components/common.js";
import { Layout } from "./components/Layout.js";
import { District } from "./pages/District.js";
import { Overview } from "./pages/Overview.js";
import { Project } from "./pages/Project.js";
import { Results } from "./pages/Results.js";
import { useWalletGate } from "./wallet/gate.js";

// Verification is split off; the results are not (a results page rendered ahead must not blink while its code
// arrives), and they are small.
const Verify = lazy(() => import("./pages/Verify.js").then((m) => ({ default: m.Verify })));

// The committee's and the observers' pages are chunks of their own: residents never download them.
const CommitteeChunk = lazy(() => import("./committee/Committee.js").then((m) => ({ default: m.CommitteePage })));
const Observers = lazy(() => import("./observers/Observers.js").then((m) => ({ default: m.Observers })));
const Implemented = lazy(() => import("./observers/Implemented.js").then((m) => ({ default: m.Implemented })));
const Contest = lazy(() => import("./contest/ContestPages.js").then((m) => ({ default: m.ContestPages })));
const ContestStaff = lazy(() => import("./contest/ContestStaff.js").then((m) => ({ default: m.ContestStaff })));

/** A page that needs the voting chunk: it loads it when opened and renders once it is there. */
function WithVoting({
  render,
}: {
  render: (wallet: NonNullable<ReturnType<typeof useWalletGate>["wallet"]>) => ReactNode;
}) {
  const gate = useWalletGate();
  useEffect(() => {
    if (!gate.wallet) gate.load();
  }, [gate]);
  return gate.wallet ? render(gate.wallet) : <Loading />;
}

function NotFound(): ReactNode {
  const { t } = useTranslation();
  return (
    <>
      <p>{t("common.notFound")}</p>
      <Link href="/">{t("common.toMain")}</Link>
    </>
  );
}

export function App(): ReactNode {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Switch>
          <Route path="/">{() => <Overview />}</Route>
          <Route path="/district/:id">{(p) => <District key={p.id} id={Number(p.id)} />}</Route>
          <Route path="/district/:id/review">
            {(p) => <WithVoting key={p.id} render={(w) => <w.ReviewPage districtId={Number(p.id)} />} />}
          </Route>
          <Route path="/project/:id">{(p) => <Project key={p.id} id={Number(p.id)} />}</Route>
          <Route path="/results">{() => <Results />}</Route>
          <Route path="/results/:id">{(p) => <Results key={p.id} districtId={Number(p.id)} />}</Route>
          <Route path="/verify">{() => <Verify />}</Route>
          <Route path="/phone">{() => <WithVoting render={(w) => <w.PhoneSignIn />} />}</Route>
          <Route path="/my">{() => <WithVoting render={(w) => <w.MyAllocations />} />}</Route>
          <Route path="/committee">
            {() => (
              <WithVoting
                render={(w) => (
                  <w.WalletScope>
                    <CommitteeChunk />
                  </w.WalletScope>
                )}
              />
            )}
          </Route>
          <Route path="/observers">{() => <Observers />}</Route>
          <Route path="/implemented">{() => <Implemented />}</Route>
          <Route path="/contest-staff/:page">
            {(p) => (
              <WithVoting
                render={(w) => (
                  <w.WalletScope>
                    <ContestStaff page={p.page === "scoring" ? "scoring" : "screening"} />
                  </w.WalletScope>
                )}
              />
            )}
          </Route>
          <Route path="/contest" nest>
            {() => <Contest />}
          </Route>
          <Route>{() => <NotFound />}</Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}
