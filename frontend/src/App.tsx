import { Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, Route, Switch } from "wouter";

import { Loading } from "./components/common.js";
import { Layout } from "./components/Layout.js";
import { ROUTES } from "./routes.js";
import { useWalletGate, type WalletModule } from "./wallet/gate.js";

/** A page drawn from the voting chunk: it loads the chunk when opened and renders once it is there. */
function WithVoting({ render }: { render: (wallet: WalletModule) => ReactNode }): ReactNode {
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

/**
 * The app's pages. `children` go inside the pages' Suspense boundary, after the page: the entry (./main.tsx) puts there
 * its sign that the page is taken over (React takes a page drawn on the server over boundary by boundary, and this one
 * after the rest).
 */
export function App({ children }: { children?: ReactNode }): ReactNode {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Switch>
          {ROUTES.map((route) => (
            <Route key={route.path} path={route.path}>
              {(params: Record<string, string | undefined>) =>
                "voting" in route ? <WithVoting render={(w) => route.voting(w, params)} /> : route.render(params)
              }
            </Route>
          ))}
          <Route>{() => <NotFound />}</Route>
        </Switch>
        {children}
      </Suspense>
    </Layout>
  );
}
