/**
 * The dApp's one route table: every page is a chunk of its own, loaded when its route is opened, so that a resident
 * reading the districts never downloads the district's, the results' or the verification's code, and the
 * committee's, the observers', the wallet's and the phone sign-in's code never loads on a read-only page. A page
 * rendered ahead by the server (./server.tsx) keeps its HTML: both the server and the browser (./main.tsx) load the
 * route's chunk before drawing it (`preloadRoute`), so hydration never waits on a chunk.
 *
 * To add a page: one entry in ROUTES, with `page()` around a dynamic import.
 */
import { createElement, lazy, type ComponentType, type ReactNode } from "react";
import { matchRoute } from "wouter";
import { parse } from "regexparam";

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

const Overview = page(() => import("./pages/Overview.js").then((m) => m.Overview));
const District = page(() => import("./pages/District.js").then((m) => m.District));
const Project = page(() => import("./pages/Project.js").then((m) => m.Project));
const Results = page(() => import("./pages/Results.js").then((m) => m.Results));
const Verify = page(() => import("./pages/Verify.js").then((m) => m.Verify));
// The committee's and the observers' pages: residents never download them.
const Committee = page(() => import("./committee/Committee.js").then((m) => m.CommitteePage));
const Observers = page(() => import("./observers/Observers.js").then((m) => m.Observers));
const Implemented = page(() => import("./observers/Implemented.js").then((m) => m.Implemented));

type Params = Record<string, string | undefined>;

/** A page drawn from its own chunk, or one drawn from the voting chunk (wagmi, the ballot, the sign-in). */
export type AppRoute =
  | { path: string; render(params: Params): ReactNode; preload(): Promise<unknown> }
  | { path: string; voting(wallet: WalletModule, params: Params): ReactNode };

const id = (params: Params): number => Number(params.id);

/** Every route, first match wins; a path matching none is "not found". */
export const ROUTES: readonly AppRoute[] = [
  { path: "/", render: () => <Overview />, preload: Overview.preload },
  { path: "/district/:id", render: (p) => <District key={p.id} id={id(p)} />, preload: District.preload },
  {
    path: "/district/:id/review",
    voting: (w, p) => <w.ReviewPage key={p.id} districtId={id(p)} />,
  },
  { path: "/project/:id", render: (p) => <Project key={p.id} id={id(p)} />, preload: Project.preload },
  { path: "/results", render: () => <Results />, preload: Results.preload },
  { path: "/results/:id", render: (p) => <Results key={p.id} districtId={id(p)} />, preload: Results.preload },
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
];

/** The route a path opens, if any. */
export function routeOf(path: string): AppRoute | undefined {
  return ROUTES.find((route) => matchRoute(parse, route.path, path)[0]);
}

/** Loads the code of the page at `path` (nothing for an unknown path or a voting page, which loads its own). */
export async function preloadRoute(path: string): Promise<void> {
  const route = routeOf(path);
  if (route && "preload" in route) await route.preload();
}
