/**
 * The dApp's one route table. The read-only pages a server renders ahead (overview, district, project, results) are
 * in the app's main chunk (./main.tsx, which ./boot.ts loads on first use); every other page is a chunk of its own, loaded when its route is opened, so that the verification's,
 * the committee's, the observers', the wallet's and the phone sign-in's code never loads on a read-only page. A lazy
 * page opened first is loaded before the app draws it (`preloadRoute`, ./main.tsx and ./server.tsx).
 *
 * To add a page: one entry in ROUTES, with `page()` around a dynamic import (and its `preload`).
 */
import { createElement, lazy, type ComponentType, type ReactNode } from "react";
import { matchRoute } from "wouter";
import { parse } from "regexparam";

import { District } from "./pages/District.js";
import { Overview } from "./pages/Overview.js";
import { Project } from "./pages/Project.js";
import { Results } from "./pages/Results.js";
import type { WalletModule } from "./wallet/gate.js";

/** A page component loaded on demand; once loaded it renders without suspending. */
export interface LazyPage<P extends object> {
  (props: P): ReactNode;
  preload(): Promise<unknown>;
}

/** Wraps a dynamic import of a page component (`load` returns the component). */
export function page<P extends object>(load: () => Promise<ComponentType<P>>): LazyPage<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const preload = () =>
    (pending ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        // Offline, the chunk may not come: the next visit to the route asks again.
        pending = undefined;
        throw error;
      },
    ));
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  const Page = (props: P): ReactNode => createElement((loaded ?? Lazy) as ComponentType<P>, props);
  return Object.assign(Page, { preload });
}

// The pages a server renders ahead are in the app's main chunk: the app takes them over as soon as it starts, with no
// further request (a tap made before that is held and replayed by ./boot.ts).
const Verify = page(() => import("./pages/Verify.js").then((m) => m.Verify));
// The committee's and the observers' pages: residents never download them.
const Committee = page(() => import("./committee/Committee.js").then((m) => m.CommitteePage));
const Observers = page(() => import("./observers/Observers.js").then((m) => m.Observers));
const Implemented = page(() => import("./observers/Implemented.js").then((m) => m.Implemented));
// The contest of initiatives: residents' pages under /contest, the committee's and experts' under /contest-staff.
const Contest = page(() => import("./contest/ContestPages.js").then((m) => m.ContestPages));
const ContestStaff = page(() => import("./contest/ContestStaff.js").then((m) => m.ContestStaff));

type Params = Record<string, string | undefined>;

/** A page drawn from its own chunk, or one drawn from the voting chunk (wagmi, the ballot, the sign-in). */
export type AppRoute =
  | { path: string; render(params: Params): ReactNode; preload?: () => Promise<unknown> }
  | { path: string; voting(wallet: WalletModule, params: Params): ReactNode };

const id = (params: Params): number => Number(params.id);

/** Every route, first match wins; a path matching none is "not found". */
export const ROUTES: readonly AppRoute[] = [
  { path: "/", render: () => <Overview /> },
  { path: "/district/:id", render: (p) => <District key={p.id} id={id(p)} /> },
  {
    path: "/district/:id/review",
    voting: (w, p) => <w.ReviewPage key={p.id} districtId={id(p)} />,
  },
  { path: "/project/:id", render: (p) => <Project key={p.id} id={id(p)} /> },
  { path: "/results", render: () => <Results /> },
  { path: "/results/:id", render: (p) => <Results key={p.id} districtId={id(p)} /> },
  { path: "/verify", render: () => <Verify />, preload: Verify.preload },
  { path: "/phone", voting: (w) => <w.PhoneSignIn /> },
  { path: "/my", voting: (w) => <w.MyAllocations /> },
  {
    path: "/committee",
    voting: (w) => (
      <w.WalletScope>
        <Committee />
      </w.WalletScope>
    ),
  },
  { path: "/observers", render: () => <Observers />, preload: Observers.preload },
  { path: "/implemented", render: () => <Implemented />, preload: Implemented.preload },
  { path: "/contest/*?", render: () => <Contest />, preload: Contest.preload },
  {
    path: "/contest-staff/:page",
    voting: (w, p) => (
      <w.WalletScope>
        <ContestStaff page={p.page === "scoring" ? "scoring" : "screening"} />
      </w.WalletScope>
    ),
  },
];

/** The route a path opens, if any. */
export function routeOf(path: string): AppRoute | undefined {
  return ROUTES.find((route) => matchRoute(parse, route.path, path)[0]);
}

/** Loads the code of the page at `path` (nothing for an unknown path or a voting page, which loads its own). */
export async function preloadRoute(path: string): Promise<void> {
  const route = routeOf(path);
  if (route && "render" in route) await route.preload?.();
}
