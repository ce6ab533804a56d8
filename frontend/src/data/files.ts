/** Where the round's published files are, as absolute URLs: the publication root and the round's directory. */
import { roundDirectory } from "@kopilka/core/publication";

import type { AppEnvironment } from "../context.js";

/** The page's own address; on the server that renders pages ahead, a stand-in origin (see `pageHref`). */
const page = (): URL => new URL(typeof location === "undefined" ? "http://server.invalid/" : location.href);

/** The publication root (@kopilka/core/publication), as an absolute URL ending in "/". */
export function publicationRoot(env: AppEnvironment): URL {
  return new URL(env.config.publishedBase.replace(/\/*$/, "/"), page());
}

/** A URL as the page writes it: a path when it is on the site's own origin (the same on the server and here). */
export function pageHref(url: URL): string {
  return url.origin === page().origin ? url.pathname + url.search : url.href;
}

/** The round's directory under the publication root, as an absolute URL ending in "/". */
export function roundFilesUrl(env: AppEnvironment): string {
  return new URL(roundDirectory("", env.config.chainId, env.config.round) + "/", publicationRoot(env)).toString();
}

/** A file the round's metadata names (a description, a picture), resolved against the round's directory. */
export function roundFile(env: AppEnvironment, uri: string): URL | undefined {
  try {
    const url = new URL(uri, roundFilesUrl(env));
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}
