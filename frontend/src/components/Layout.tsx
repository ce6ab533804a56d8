import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "wouter";

import { useEnvironment } from "../context.js";
import { switchLanguage } from "../i18n.js";
import { SignInButton } from "../wallet/gate.js";

export function Layout({ children }: { children: ReactNode }): ReactNode {
  const { t } = useTranslation();
  const [location] = useLocation();
  const { config } = useEnvironment();
  const links = [
    ["/", t("nav.round")],
    ...(config.contest ? ([["/contest", t("contest.nav.list")]] as const) : []),
    ["/results", t("nav.results")],
    ["/verify", t("nav.verify")],
    ["/my", t("nav.my")],
  ] as const;
  const current = (href: string): boolean =>
    href === "/"
      ? location === "/" || location.startsWith("/district") || location.startsWith("/project")
      : location.startsWith(href);
  return (
    <>
      <a className="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header className="top">
        <div className="top-row">
          <Link href="/" className="brand">
            <span className="logo" aria-hidden="true" />
            {t("app.name")}
          </Link>
          <div className="tools">
            <button
              type="button"
              className="link"
              onClick={() => void switchLanguage()}
              aria-label={t("nav.languageLabel")}
              lang={t("nav.language") === "English" ? "en" : "ru"}
            >
              {t("nav.language")}
            </button>
            <SignInButton label={t("nav.signIn")} />
          </div>
        </div>
        <nav aria-label={t("nav.main")}>
          {links.map(([href, label]) => (
            <Link key={href} href={href} aria-current={current(href) ? "page" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main">{children}</main>
      <footer>
        <nav aria-label={t("nav.more")} className="more">
          <Link href="/observers">{t("nav.observers")}</Link>
          <Link href="/implemented">{t("nav.implemented")}</Link>
          <Link href="/committee">{t("nav.committee")}</Link>
        </nav>
      </footer>
    </>
  );
}
