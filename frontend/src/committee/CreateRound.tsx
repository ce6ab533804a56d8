/**
 * A new round from the browser: the form becomes a round spec, checked by the committee CLI's own code
 * (scripts/core/src/domain/spec.ts: the same rules, the same line-by-line messages for the projects' CSV), then sent as the
 * factory's createRound followed by one addDistrict per district and one addProject per project. From a contest's
 * screening page (`fromContest`), the districts are the contest's and the projects are exactly its passed initiatives,
 * made by the core's `ballotProjects` as `kopilka round create --from-contest` makes them.
 */
import { useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { parseEventLogs, type Address } from "viem";
import { Link } from "wouter";

import { ballotProjects, initiativeNumber, type PassedInitiative } from "@kopilka/core/contest";
import { canonicalJson, metadataHash } from "@kopilka/core/metadata";
import { parseRubles } from "@kopilka/core/money";
import { projectMetadataURI, type RoundManifest } from "@kopilka/core/publication";
import {
  decodeTableFile,
  formatProblem,
  InputError,
  parseRoundSpec,
  type InputProblem,
  type RoundSpec,
  roundConfigOf,
} from "@kopilka/core/spec";
import { useChainEnvironment } from "../chain.js";
import { roundFilesUrl } from "../data/round.js";
import { rubles } from "../format.js";
import { roundFactoryAbi } from "@kopilka/core/abi";
import { Download } from "../staff/download.js";
import { problemText } from "../staff/strings.js";
import { TxLine, useSender, type ContractCall } from "./tx.js";

interface DistrictRow {
  name: string;
  budget: string;
}

interface Created {
  round: Address;
  spec: RoundSpec;
  manifest: RoundManifest;
}

/** `datetime-local` gives the reader's local time; the spec wants unix seconds. */
const seconds = (local: string): number | string => (local === "" ? "" : Math.floor(new Date(local).getTime() / 1000));

/** The factory from the runtime config, else from the configured round's published manifest. */
function useFactory() {
  const env = useChainEnvironment();
  return useQuery({
    queryKey: ["factory"],
    staleTime: Infinity,
    queryFn: async (): Promise<Address | null> => {
      if (env.config.factory) return env.config.factory;
      const response = await fetch(new URL("round.json", roundFilesUrl(env)));
      if (!response.ok) return null;
      return ((await response.json()) as RoundManifest).factory as Address;
    },
  });
}

/** A decided contest whose passed initiatives are the new round's projects, in the contest's districts. */
export interface FromContest {
  address: Address;
  districts: string[];
  passed: PassedInitiative[];
}

export function CreateRound({ account, fromContest }: { account: Address; fromContest?: FromContest }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const factory = useFactory();
  const { tx, send, busy } = useSender();
  const [name, setName] = useState("");
  const [symbol, setSymbol] = useState("KOP");
  const [opensAt, setOpensAt] = useState("");
  const [closesAt, setClosesAt] = useState("");
  const [rule, setRule] = useState("ranked");
  const [minTokens, setMinTokens] = useState("0");
  const [minSupporters, setMinSupporters] = useState("0");
  const [allowance, setAllowance] = useState("");
  const [residentsBound, setResidentsBound] = useState(false);
  const [districts, setDistricts] = useState<DistrictRow[]>(
    fromContest ? fromContest.districts.map((name) => ({ name, budget: "" })) : [{ name: "", budget: "" }],
  );
  const [csv, setCsv] = useState<{ name: string; text: string }>();
  const [checked, setChecked] = useState<{ spec?: RoundSpec; problems: InputProblem[] }>();
  const [created, setCreated] = useState<Created>();

  const budget = districts.reduce((sum, d) => {
    const parsed = parseRubles(d.budget);
    return "error" in parsed ? sum : sum + parsed.kopecks;
  }, 0n);

  const check = (): RoundSpec | undefined => {
    const raw = {
      name,
      tokenSymbol: symbol,
      budget: `${budget / 100n}.${(budget % 100n).toString().padStart(2, "0")}`,
      opensAt: seconds(opensAt),
      closesAt: seconds(closesAt),
      rule,
      minTokens,
      minSupporters,
      ...(allowance.trim() !== "" ? { allowance } : {}),
      residentsBound,
      districts: districts.map((d) => ({ name: d.name, budget: d.budget })),
      ...(csv ? { projects: csv.name } : {}),
    };
    try {
      let spec = parseRoundSpec(raw, "round", () => csv?.text ?? "");
      if (fromContest) {
        const names = spec.districts.map((d) => d.name);
        spec = { ...spec, projects: ballotProjects(fromContest.address, fromContest.passed, names) };
      }
      setChecked({ spec, problems: [] });
      return spec;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      setChecked({ problems: error.problems });
      return undefined;
    }
  };

  const create = async (): Promise<void> => {
    const spec = check();
    if (!spec || !factory.data) return;
    const { admin, committee, minter, registrar, reporter, ...rest } = roundConfigOf(spec, account as string);
    const config = {
      ...rest,
      admin: admin as Address,
      committee: committee as Address,
      minter: minter as Address,
      registrar: registrar as Address,
      reporter: reporter as Address,
    };
    const first = await send([{ address: factory.data, functionName: "createRound", args: [config] }]);
    if (!first) return;
    const [event] = parseEventLogs({ abi: roundFactoryAbi, logs: first[0].logs, eventName: "RoundCreated" });
    const round = event.args.round;
    const setup: ContractCall[] = [
      ...spec.districts.map((d) => ({ address: round, functionName: "addDistrict", args: [d.name, d.budget] })),
      ...spec.projects.map((p, id) => ({
        address: round,
        functionName: "addProject",
        args: [
          BigInt(p.district),
          p.cost,
          p.category,
          metadataHash(p.metadata),
          (spec.metadataBaseURI ?? "") + projectMetadataURI(id),
        ],
      })),
    ];
    if (!(await send(setup))) return;
    setCreated({
      round,
      spec,
      manifest: {
        chainId: env.config.chainId,
        factory: factory.data,
        round,
        token: event.args.token,
        airdrop: event.args.airdrop,
        fromBlock: env.config.fromBlock ?? Number(first[0].blockNumber),
        name: spec.name,
      },
    });
  };

  if (factory.data === null) return <p className="notice">{t("staff.committee.noFactory")}</p>;
  if (created) return <CreatedRound created={created} />;
  const field = (label: string, input: ReactNode) => (
    <label className="field">
      <span>{label}</span>
      {input}
    </label>
  );
  return (
    <form
      className="staff-form"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      {field(t("staff.committee.create.name"), <input value={name} onChange={(e) => setName(e.target.value)} />)}
      {field(t("staff.committee.create.symbol"), <input value={symbol} onChange={(e) => setSymbol(e.target.value)} />)}
      {field(
        t("staff.committee.create.opensAt"),
        <input type="datetime-local" value={opensAt} onChange={(e) => setOpensAt(e.target.value)} />,
      )}
      {field(
        t("staff.committee.create.closesAt"),
        <input type="datetime-local" value={closesAt} onChange={(e) => setClosesAt(e.target.value)} />,
      )}
      {field(
        t("staff.committee.create.rule"),
        <select value={rule} onChange={(e) => setRule(e.target.value)}>
          <option value="ranked">{t("staff.committee.create.rules.ranked")}</option>
          <option value="piggy-bank-full">{t("staff.committee.create.rules.piggy-bank-full")}</option>
        </select>,
      )}
      {field(
        t("staff.committee.create.minTokens"),
        <input inputMode="decimal" value={minTokens} onChange={(e) => setMinTokens(e.target.value)} />,
      )}
      {field(
        t("staff.committee.create.minSupporters"),
        <input inputMode="numeric" value={minSupporters} onChange={(e) => setMinSupporters(e.target.value)} />,
      )}
      {field(
        t("staff.committee.create.allowance"),
        <input inputMode="decimal" value={allowance} onChange={(e) => setAllowance(e.target.value)} />,
      )}
      <label className="choice">
        <input type="checkbox" checked={residentsBound} onChange={(e) => setResidentsBound(e.target.checked)} />{" "}
        <span>{t("staff.committee.create.residentsBound")}</span>
      </label>
      <fieldset>
        <legend>{t("staff.committee.create.districts")}</legend>
        {districts.map((d, i) => (
          <div className="district-row" key={i} data-district={i}>
            {field(
              t("staff.committee.create.districtName", { n: i + 1 }),
              <input
                value={d.name}
                readOnly={fromContest !== undefined}
                onChange={(e) => setDistricts(districts.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
              />,
            )}
            {field(
              t("staff.committee.create.districtBudget", { n: i + 1 }),
              <input
                inputMode="decimal"
                value={d.budget}
                onChange={(e) =>
                  setDistricts(districts.map((x, j) => (j === i ? { ...x, budget: e.target.value } : x)))
                }
              />,
            )}
            {districts.length > 1 && !fromContest && (
              <button type="button" className="link" onClick={() => setDistricts(districts.filter((_, j) => j !== i))}>
                {t("staff.committee.create.removeDistrict", { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        {!fromContest && (
          <button type="button" onClick={() => setDistricts([...districts, { name: "", budget: "" }])}>
            {t("staff.committee.create.addDistrict")}
          </button>
        )}
        <p>{t("staff.committee.create.budget", { amount: rubles(budget) })}</p>
      </fieldset>
      {fromContest ? (
        <PassedList fromContest={fromContest} />
      ) : (
        field(
          t("staff.committee.create.projects"),
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              void file.arrayBuffer().then((bytes) => {
                try {
                  setCsv({ name: file.name, text: decodeTableFile(new Uint8Array(bytes), file.name).text });
                } catch (error) {
                  if (!(error instanceof InputError)) throw error;
                  setCsv(undefined);
                  setChecked({ problems: error.problems });
                }
              });
            }}
          />,
        )
      )}
      <Problems checked={checked} />
      <div className="buttons">
        <button type="button" onClick={() => void check()} disabled={busy}>
          {t("staff.committee.create.check")}
        </button>
        <button
          type="submit"
          className="primary"
          disabled={busy || !factory.data || !checked?.spec}
          data-testid="create-round"
        >
          {t("staff.committee.create.submit", {
            count: checked?.spec ? 1 + checked.spec.districts.length + checked.spec.projects.length : 1,
          })}
        </button>
      </div>
      <TxLine tx={tx} />
    </form>
  );
}

/** The projects a round from the contest gets: its passed initiatives, by number and title (the contest's strings). */
function PassedList({ fromContest }: { fromContest: FromContest }): ReactNode {
  const { t } = useTranslation();
  return (
    <fieldset data-testid="passed-initiatives">
      <legend>{t("contestStaff.round.passed", { count: fromContest.passed.length })}</legend>
      <ul>
        {[...fromContest.passed]
          .sort((a, b) => a.id - b.id)
          .map((initiative) => (
            <li key={initiative.id}>
              {t("contestStaff.round.initiative", {
                number: initiativeNumber(initiative.id),
                title: initiative.fields.title,
                district: fromContest.districts[initiative.fields.district],
                cost: rubles(BigInt(initiative.fields.cost.totalKopecks)),
              })}
            </li>
          ))}
      </ul>
    </fieldset>
  );
}

/**
 * The checker's verdict: every problem with its file and line, as the CLI prints them, in the page's language; the
 * round form and the residents' upload (./Committee.tsx) both show theirs here.
 */
export function Problems({ checked }: { checked?: { spec?: unknown; problems: InputProblem[] } }): ReactNode {
  const { t } = useTranslation();
  if (!checked) return null;
  if (checked.problems.length === 0) return null;
  return (
    <div className="notice error" role="alert" data-testid="problems">
      <p>{t("staff.committee.create.problems", { count: checked.problems.length })}</p>
      <ul>
        {checked.problems.map((p, i) => (
          <li key={i} className="small">
            {formatProblem(p, problemText(p, t))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function CreatedRound({ created }: { created: Created }): ReactNode {
  const { t } = useTranslation();
  const env = useChainEnvironment();
  const { round, spec, manifest } = created;
  const config = { ...env.config, round };
  return (
    <div className="notice ok" role="status" data-testid="created">
      <p>{t("staff.committee.create.created", { address: round })}</p>
      <p>{t("staff.committee.create.publish", { chainId: env.config.chainId, round: round.toLowerCase() })}</p>
      <ul className="files">
        <li>
          <Download name="round.json" path="round.json" content={JSON.stringify(manifest, null, 2) + "\n"} />
        </li>
        {spec.projects.map((p, id) => (
          <li key={id}>
            <Download name={`${id}.json`} path={projectMetadataURI(id)} content={canonicalJson(p.metadata)} />
          </li>
        ))}
        <li>
          <Download
            name="kopilka.config.json"
            path="/kopilka.config.json"
            content={JSON.stringify(config, null, 2) + "\n"}
          />
        </li>
      </ul>
      <p>
        <Link href={`/committee?round=${round}`}>{t("staff.committee.create.manage")}</Link>
      </p>
    </div>
  );
}
