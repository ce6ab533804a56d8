/**
 * The committee's and the observers' pages in a real browser against a real `hardhat node`: a committee member
 * with the injected test wallet creates a round from the form and a projects CSV, publishes the files the page
 * gives, mints the budget, posts the residents' tree, opens voting; residents vote (one through the citizens'
 * pages, with the tree the committee published); the committee finalizes the districts and records the
 * implementation of a funded project. The observers' panel must then show exactly the report `kopilka audit
 * --json` gives for the same round, and the exports must equal the CLI's.
 */
import { CATEGORIES } from "@kopilka/core/category";
import { Rule } from "@kopilka/core/rule";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, keccak256, Wallet, type HDNodeWallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { audit, exportRound, publishBatch, reportJson } from "@kopilka/core/node";
import { KOPECKS_PER_RUBLE, rubles } from "@kopilka/core/money";
import { PABULIB_SOURCE_FILE, type PabulibSource } from "@kopilka/core/pabulib";
import { findParticipant, type ParticipantLeaf } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";
import { parseResidents } from "@kopilka/core/residents";
import { formatProblem, InputError, parseRoundSpec } from "@kopilka/core/spec";
import { tallyDistrict } from "@kopilka/core/tally";
import { launchChromium, screenshots } from "./browser.js";
import { connect, expectAccessible, openPage, setAmount } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;

const DISTRICTS = [
  { name: "Центральный", budget: "1000000" },
  { name: "Заречный", budget: "500000" },
];
const PROJECTS_CSV = [
  "district,title,category,cost,description,lat,lon",
  "Центральный,Детская площадка на Гагарина,playgrounds,600000,Горка и качели,48.708,44.513",
  "Центральный,Фонари в сквере,street-lighting,300000,Двенадцать фонарей,48.712,44.520",
  "Центральный,Книги для библиотеки,libraries,200000,Детские книги,48.703,44.530",
  "Заречный,Водоколонка,water-supply,400000,Колонка на Заречной,48.740,44.480",
].join("\n");
/** The same file with a mistake on line 3: an unknown category. */
const BAD_PROJECTS_CSV = PROJECTS_CSV.replace("street-lighting", "fireworks");

let round: TestRound;
let site: StaticSite;
let browser: Browser;
let committee: HDNodeWallet;
const voters: HDNodeWallet[] = [];

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  site = await serveSite(round.siteDir);
  browser = await launchChromium();
  committee = Wallet.createRandom(node.provider);
  for (let i = 0; i < 3; i++) voters.push(Wallet.createRandom(node.provider));
  for (const wallet of [committee, ...voters]) {
    await (await round.roles.admin.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
  }
});

after(async () => {
  await browser?.close();
  await site?.close();
  round?.node.stop();
});

async function newPage(wallet: HDNodeWallet): Promise<Page> {
  return await openPage(browser, {
    wallet,
    rpcUrl: round.config.rpcUrl,
    chainId: round.config.chainId,
    timezoneId: "UTC",
  });
}

/** A reader without a wallet (axe needs pages of a context of their own). */
async function readerPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "ru-RU",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** The content of a Download link, fetched from its blob URL in the page. */
async function downloaded(page: Page, dataPath: string): Promise<string> {
  const link = page.locator(`a[data-path="${dataPath}"][href]`);
  await link.waitFor();
  return link.evaluate((a: HTMLAnchorElement) => fetch(a.href).then((r) => r.text()));
}

async function chainTime(): Promise<number> {
  return (await round.node.provider.getBlock("latest"))!.timestamp;
}

async function travelTo(time: number): Promise<void> {
  await round.node.provider.send("evm_setNextBlockTimestamp", [time]);
  await round.node.provider.send("evm_mine", []);
}

const local = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 16);

/** Problems of a CSV file as the CLI's checker words them. */
function cliProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => formatProblem(p));
    throw error;
  }
  return [];
}

/** Waits for `done` to show, failing with the page's own words if a transaction fails or is rejected first. */
async function settle(page: Page, done: string): Promise<void> {
  const outcome = page.locator(`${done}, [data-tx="failed"], [data-tx="rejected"]`).first();
  await outcome.waitFor({ timeout: 60_000 });
  const tx = await outcome.getAttribute("data-tx");
  if (tx === "failed" || tx === "rejected") assert.fail(`${tx}: ${await outcome.textContent()}`);
}

/** Text as Russian Excel saves it for "CSV": Windows-1251, where А-я are the bytes C0-FF, Ё is A8 and ё is B8. */
function windows1251(text: string): Buffer {
  const bytes = Buffer.from(
    [...text].map((char) => {
      const code = char.codePointAt(0)!;
      if (code < 0x80) return code;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      if (char === "Ё" || char === "ё") return char === "Ё" ? 0xa8 : 0xb8;
      throw new Error(`no Windows-1251 byte for ${char}`);
    }),
  );
  assert.equal(new TextDecoder("windows-1251").decode(bytes), text);
  return bytes;
}

async function upload(page: Page, label: string, name: string, text: string): Promise<void> {
  await page.getByLabel(label).setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
}

describe("The committee's and the observers' pages", () => {
  let page: Page;
  let address: string;
  let opensAt: number;
  let closesAt: number;
  let published: string;
  let tree: StandardMerkleTree<ParticipantLeaf>;
  const document = Buffer.from("Акт приёмки работ №17: детская площадка на Гагарина\n");

  it("hides the committee's sections from an account without a role", async () => {
    page = await newPage(committee);
    const scripts: string[] = [];
    page.on("request", (r) => void (r.resourceType() === "script" && scripts.push(r.url())));
    await page.goto(site.url + "/");
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    assert.ok(!scripts.some((url) => /Committee-|Observers-/.test(url)), "no staff chunk on the citizens' pages");
    await page.getByRole("link", { name: "Для комиссии" }).click();
    await connect(page);
    await page.getByTestId("roles").filter({ hasText: "У этого счёта нет ролей" }).waitFor();
    assert.equal(await page.locator("[data-step]").count(), 0);
  });

  it("checks the new round with the CLI's rules, line by line, then creates it", async () => {
    opensAt = Math.ceil(((await chainTime()) + 3600) / 60) * 60;
    closesAt = opensAt + 2 * 24 * 3600;
    await page.getByLabel("Название раунда").fill("Городской раунд (тест комиссии)");
    await page.getByLabel("Голосование открывается").fill(local(opensAt));
    await page.getByLabel("Голосование закрывается").fill(local(closesAt));
    await page.getByLabel("Сколько рублей получает каждый житель").fill("500000");
    await page.getByLabel("Район 1: название").fill(DISTRICTS[0].name);
    await page.getByLabel("Район 1: бюджет, рублей").fill(DISTRICTS[0].budget);
    await page.getByRole("button", { name: "Добавить район" }).click();
    await page.getByLabel("Район 2: название").fill(DISTRICTS[1].name);
    await page.getByLabel("Район 2: бюджет, рублей").fill(DISTRICTS[1].budget);
    await upload(page, "Проекты (CSV", "projects.csv", BAD_PROJECTS_CSV);
    await page.getByRole("button", { name: "Проверить" }).click();
    const expected = cliProblems(() =>
      parseRoundSpec(
        { name: "x", budget: "1500000", opensAt, closesAt, districts: DISTRICTS, projects: "projects.csv" },
        "round",
        () => BAD_PROJECTS_CSV,
      ),
    );
    assert.equal(expected.length, 1);
    assert.match(expected[0], /^projects\.csv:3: unknown category "fireworks"/);
    // The same problem, at the same file and line, in the page's Russian.
    assert.deepEqual(await page.getByTestId("problems").locator("li").allTextContents(), [
      `projects.csv:3: неизвестное направление «fireworks» (есть: ${CATEGORIES.join(", ")})`,
    ]);
    assert.ok(await page.getByTestId("create-round").isDisabled(), "nothing is sent while the input has problems");

    await upload(page, "Проекты (CSV", "projects.csv", PROJECTS_CSV);
    await page.getByRole("button", { name: "Проверить" }).click();
    await page.getByRole("button", { name: "Создать раунд (7 транзакций)" }).click();
    await settle(page, '[data-testid="created"]');
    address = (await page.getByTestId("created").locator("p").first().textContent())!.split(": ")[1].trim();
    await screenshots(page, "committee-created", { citizen: false });
    await expectAccessible(page);

    // Publish what the page gave, as the committee would: the round's files, and the dApp's config.
    published = roundDirectory(path.join(round.siteDir, "published"), round.config.chainId, address);
    await mkdir(path.join(published, "projects"), { recursive: true });
    for (const file of ["round.json", "projects/0.json", "projects/1.json", "projects/2.json", "projects/3.json"]) {
      await writeFile(path.join(published, file), await downloaded(page, file));
    }
    const config = JSON.parse(await downloaded(page, "/kopilka.config.json")) as { round: string };
    assert.equal(config.round, address);
    await writeFile(path.join(round.siteDir, "kopilka.config.json"), JSON.stringify(config, null, 2) + "\n");

    const created = new Contract(address, round.round.interface, round.node.provider);
    assert.equal(await created.budget(), rub(1_500_000));
    assert.equal(await created.opensAt(), BigInt(opensAt));
    assert.equal(await created.projectCount(), 4n);
    assert.equal(await created.districtCount(), 2n);
  });

  it("mints the budget, refuses a bad residents' file in Russian at its lines, posts the residents' tree and opens voting", async () => {
    await page.goto(site.url + "/committee");
    await page.getByTestId("roles").filter({ hasText: "комиссия, эмитент, регистратор, отчёт о реализации" }).waitFor();
    await page.getByRole("button", { name: /^Выпустить/ }).click();
    await page.getByText("Бюджет выпущен полностью.").waitFor();
    // The capacity: the minted 1,500,000 rubles at the declared 500,000 each.
    await page.getByTestId("capacity").filter({ hasText: "места ещё для 3 жителей" }).waitFor();

    const names = DISTRICTS.map((d) => d.name);
    const residents = [
      "address,district",
      `${voters[0].address},0`,
      `${voters[1].address},Заречный`,
      `${voters[2].address},`,
    ];
    const shown = () => page.getByTestId("problems").locator("li").allTextContents();
    // A malformed address, a resident listed twice and a district the round does not have: the CLI's checker
    // names each at its line, and the page says the same at the same lines in Russian.
    const bad = [
      ...residents,
      "0x1234,0",
      `${voters[0].address.toLowerCase()},Заречный`,
      `${committee.address},Тракторозаводский`,
    ].join("\n");
    await upload(page, "Файл жителей", "residents.csv", bad);
    const expected = cliProblems(() => parseResidents(bad, "residents.csv", names));
    assert.deepEqual(expected, [
      'residents.csv:5: malformed address "0x1234"',
      `residents.csv:6: duplicate address ${voters[0].address} (first on line 2)`,
      'residents.csv:7: unknown district "Тракторозаводский" (the round has 2)',
    ]);
    const refusals = [
      "residents.csv:5: «0x1234» — не адрес",
      `residents.csv:6: адрес ${voters[0].address} уже есть в строке 2`,
      "residents.csv:7: района «Тракторозаводский» в раунде нет (районов в раунде: 2); укажите название района " +
        "или оставьте ячейку пустой — тогда житель голосует в любом районе",
    ];
    await page.getByTestId("problems").filter({ hasText: refusals[0] }).waitFor();
    assert.deepEqual(await shown(), refusals);
    await screenshots(page, "committee-residents-refused", { citizen: false });

    // The same mistakes in the file Russian Excel saves: Windows-1251, semicolons, a Russian header, decimal commas.
    const excel = [
      "Адрес;Район;Сумма",
      `${voters[0].address};Центральный;100,50`,
      `${committee.address};Тракторозаводский;`,
      `${voters[0].address};Заречный;`,
    ].join("\r\n");
    const bytes = windows1251(excel);
    assert.deepEqual([...bytes.subarray(0, 5)], [0xc0, 0xe4, 0xf0, 0xe5, 0xf1], "«Адрес» in Windows-1251");
    await page.getByLabel("Файл жителей").setInputFiles({ name: "жители.csv", mimeType: "text/csv", buffer: bytes });
    await page.getByTestId("problems").filter({ hasText: "жители.csv:3" }).waitFor();
    assert.deepEqual(await shown(), [
      "жители.csv:3: района «Тракторозаводский» в раунде нет (районов в раунде: 2); укажите название района " +
        "или оставьте ячейку пустой — тогда житель голосует в любом районе",
      `жители.csv:4: адрес ${voters[0].address} уже есть в строке 2`,
    ]);

    // More residents than the minted budget has room for, in the page's rubles.
    const four = [...residents, `${committee.address},`].join("\n");
    await upload(page, "Файл жителей", "residents.csv", four);
    await page.getByTestId("problems").filter({ hasText: "жителям в файле" }).waitFor();
    assert.deepEqual(await shown(), [
      `residents.csv: жителям в файле (4) нужно ${rubles(rub(2_000_000))}, а из бюджета не роздано только ` +
        `${rubles(rub(1_500_000))}: можно добавить ещё жителей — 3 (по ${rubles(rub(500_000))} каждому)`,
    ]);
    await screenshots(page, "committee-residents-no-room", { citizen: false });

    await upload(page, "Файл жителей", "residents.csv", residents.join("\n"));
    await page.getByTestId("residents-summary").waitFor();
    await page.getByRole("button", { name: "Опубликовать корень в сети" }).click();
    const dump = await downloaded(page, "participants/batch-0.json");
    await mkdir(path.join(published, "participants"), { recursive: true });
    await writeFile(path.join(published, "participants/batch-0.json"), dump);
    tree = StandardMerkleTree.load(JSON.parse(dump));
    assert.equal(tree.length, 3);
    // Each resident gets the round's declared 500,000 rubles: the three of them take the whole budget.
    assert.deepEqual(
      [...tree.entries()].map(([, leaf]) => leaf[2]),
      [rub(500_000), rub(500_000), rub(500_000)].map(String),
    );
    // What "npx kopilka participants publish" then writes from the tree file: the proof files and the list.
    await publishBatch(published, 0, tree);

    await page.getByRole("button", { name: "Открыть голосование" }).click();
    await page.locator('[data-step="open"]').waitFor({ state: "detached" });
    const created = new Contract(address, round.round.interface, round.node.provider);
    assert.equal(await created.opened(), true);
  });

  it("counts the residents' votes, one cast on the citizens' pages with the published tree", async () => {
    await travelTo(opensAt);
    const created = new Contract(address, round.round.interface, round.node.provider);
    const banks = await Promise.all([0, 1, 2, 3].map(async (id) => (await created.project(id)).bank as string));
    const vote = async (voter: HDNodeWallet, to: number[], amounts: number[]) => {
      const leaf = findParticipant(tree, voter.address)!;
      await (
        await (created.connect(voter) as Contract).claimAndAllocate(
          0,
          leaf.participant.district,
          leaf.participant.amount,
          leaf.participant.enrollment,
          leaf.proof,
          to.map((id) => banks[id]),
          amounts.map(rub),
        )
      ).wait();
    };
    await vote(voters[1], [3], [500_000]);
    await vote(voters[2], [1, 2], [300_000, 200_000]);

    const citizen = await newPage(voters[0]);
    await citizen.goto(site.url + "/district/0");
    await connect(citizen);
    await citizen.getByRole("button", { name: "Голосовать за проекты этого района" }).click();
    await setAmount(citizen, 0, "400000");
    await setAmount(citizen, 1, "100000");
    await citizen.getByTestId("review").click();
    await citizen.getByRole("button", { name: "Подтвердить голос" }).click();
    await citizen.locator('[data-tx="confirmed"]').waitFor();
    await citizen.context().close();
    assert.equal(await created.depositOf(banks[0], voters[0].address), rub(400_000));
  });

  it("finalizes the districts and records the implementation of a funded project", async () => {
    await travelTo(closesAt);
    await page.goto(site.url + "/committee");
    for (const name of DISTRICTS.map((d) => d.name)) {
      await page.getByRole("button", { name: `Подвести итоги: ${name}` }).click();
      await page.getByText(`${name}: итоги подведены`).waitFor();
    }
    const form = page.locator('form.implementation[data-project="0"]');
    await form.getByLabel("Статус").selectOption("3");
    await form.getByLabel("Потрачено, рублей").fill("590000");
    await form.getByLabel("Документ").setInputFiles({ name: "act.txt", mimeType: "text/plain", buffer: document });
    await form
      .getByTestId("document-hash")
      .filter({ hasText: keccak256(document) })
      .waitFor();
    await form.getByRole("button", { name: "Записать" }).click();
    await form.locator('[data-tx="done"]').waitFor();
    await screenshots(page, "committee-implementation", { citizen: false });
    await expectAccessible(page);

    const created = new Contract(address, round.round.interface, round.node.provider);
    const implementation = await created.implementationOf(0);
    assert.equal(implementation.status, 3n);
    assert.equal(implementation.amountSpent, rub(590_000));
    assert.equal(implementation.documentHash, keccak256(document));
    // The winners on-chain are the reference tally's (funded P0 and P1 in the centre, P3 across the river).
    const funded = await Promise.all([0, 1, 2, 3].map(async (id) => (await created.project(id)).funded as boolean));
    const centre = tallyDistrict(
      [
        { projectId: 0n, cost: rub(600_000), tokens: rub(400_000), supporters: 1n },
        { projectId: 1n, cost: rub(300_000), tokens: rub(400_000), supporters: 2n },
        { projectId: 2n, cost: rub(200_000), tokens: rub(200_000), supporters: 1n },
      ],
      rub(1_000_000),
      { rule: Rule.Ranked, minTokens: 0n, minSupporters: 0n },
    );
    assert.deepEqual(
      funded,
      [0, 1, 2, 3].map((id) => id === 3 || centre.winners.includes(BigInt(id))),
    );
  });

  it("shows the implemented projects publicly", async () => {
    const reader = await readerPage();
    await reader.goto(site.url + "/implemented");
    const entry = reader.locator('.registry [data-project="0"]');
    await entry.getByText("завершён", { exact: true }).waitFor();
    await entry.getByText(keccak256(document), { exact: false }).waitFor();
    assert.equal(await reader.locator(".registry > li").count(), 3);
    await screenshots(reader, "implemented", { citizen: false });
    await expectAccessible(reader);
    await reader.context().close();
  });

  it("recounts the round in the browser to the very report `kopilka audit --json` gives, and exports the same files", async () => {
    const options = { rpc: round.node.url, round: address, published: path.join(round.siteDir, "published") };
    // As if the round came from Pabulib (`kopilka pabulib import` publishes this): both exports keep the source's
    // file names, META and project ids.
    const exported = JSON.parse((await exportRound({ ...options, format: "json" }))["round.json"]) as {
      results: { district: number; project: number }[];
    };
    const districtIds = [...new Set(exported.results.map((r) => r.district))].sort((x, y) => x - y);
    const source: PabulibSource = {
      districts: districtIds.map((d) => ({
        file: `poland_warszawa_2024_district-${d + 1}.pb`,
        meta: { country: "Poland", unit: "Warszawa", subunit: `District ${d + 1}` },
        projects: Object.fromEntries(
          exported.results.filter((r) => r.district === d).map((r) => [String(r.project), `P-${100 + r.project}`]),
        ),
      })),
    };
    await writeFile(path.join(published, PABULIB_SOURCE_FILE), JSON.stringify(source, null, 2) + "\n");
    const observer = await readerPage();
    await observer.goto(site.url + "/observers");
    await observer.locator('[data-verdict="ok"]').waitFor({ timeout: 60_000 });
    const expected = reportJson(await audit(options));
    assert.equal(await downloaded(observer, "audit.json"), expected);
    const report = JSON.parse(expected) as { checks: { id: string; status: string }[] };
    assert.deepEqual(
      await observer.locator("[data-check]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))),
      report.checks.map((c) => c.status),
    );
    for (const format of ["csv", "json", "pb"] as const) {
      for (const [name, content] of Object.entries(await exportRound({ ...options, format }))) {
        assert.equal(await downloaded(observer, name), content, `${name} as the CLI exports it`);
      }
    }
    assert.match(await downloaded(observer, "poland_warszawa_2024_district-1.pb"), /^project_id;cost;.*\nP-10\d;/m);
    // Charts and the map, drawn from the same recount: 4 pins (every project has coordinates), 2 district hulls.
    assert.equal(await observer.locator("[data-pin]").count(), 4);
    assert.equal(await observer.locator(".map [data-district]").count(), 2);
    assert.equal(await observer.locator("[data-chart-district]").count(), 2);
    await screenshots(observer, "observers", { citizen: false });
    await expectAccessible(observer);

    await observer.getByRole("button", { name: "Switch to English" }).click();
    await observer.getByRole("heading", { level: 1, name: "Observers" }).waitFor();
    await observer.getByText("Everything holds").waitFor();
    await observer.context().close();
  });
});
