/**
 * A contest of initiatives in Debian's Chromium on 360 px phones, against a real `hardhat node` and the real resident
 * services (content store and contest relay): a resident fills in "Предложить проект" with two photos (made smaller
 * by the page's canvas and stored by their hash), checks and sends it; two neighbours open the shared link and join
 * its initiative group; the committee returns it for changes with a published reason from its screening page
 * (`/contest-staff/screening`, its wallet injected as a browser extension would be); the resident reads the reason
 * and sends a new version; the list shows it by district and status; the neighbours join the new version, the
 * committee admits it, two experts score it and sign their sheets on the scoring page (`/contest-staff/scoring`),
 * and once the review has closed the committee records the outcome, which the initiative's page shows, and creates the
 * round from it on the same page: the new round's ballot lists exactly the passed initiative, and the audit with the
 * contest passes its contest checks. Everything the
 * residents and the experts did was signed by their browsers' own keys and wallets and paid for by the services.
 * Every screen is checked for crypto words and horizontal scroll and saved at 360 and 1280 px.
 *
 * One neighbour has no key at first: "Предложить проект" and the initiative's page lead them to the phone sign-in,
 * where the services (run for the contest, with no round) enroll them into the contest's residents; back on the
 * contest's pages they join the group like the others. The author's and the other neighbour's keys are made in the
 * page as the phone sign-in makes one (non-extractable, in the site's IndexedDB), and the contest's registrar posts
 * them with their proof files, as `kopilka contest residents` does.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { Contract, ContractFactory, Wallet, type HDNodeWallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { CATEGORIES } from "@kopilka/core/category";
import { contentHash, templateDocument } from "@kopilka/core/contest";
import { keyAddress } from "@kopilka/core/keys";
import { labelledAudit, openContentFiles, publishBatch } from "@kopilka/core/node";
import { ANY_DISTRICT, buildParticipantTree } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";
import type { Child } from "../../scripts/relayer/local.js";
import { startServices } from "../../scripts/services/local.js";
import type { KopilkaConfig } from "../src/config.js";
import { png, type Rgb } from "../../test/helpers/png.js";
import { launchChromium, screenshots } from "./browser.js";
import { connect, expectAccessible, openPage } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { ROOT, setupRound, startNode, type Node, type TestRound } from "./setup.js";

let node: Node;
let round: TestRound;
let services: Child;
let site: StaticSite;
let browser: Browser;
let contest: Contract;
let contestAddress: string;
let factoryAddress: string;
let chainId: number;
/** The committee's and the two experts' wallets, injected into their browsers as a browser extension would be. */
let committee: HDNodeWallet;
let experts: HDNodeWallet[];

const DISTRICTS = ["Центральный", "Северный", "Южный"];
/** The districts' areas on the map, in the contest's template: the form's map frames the chosen one. */
const AREAS = [
  { minLat: 48.69, maxLat: 48.73, minLon: 44.48, maxLon: 44.54 },
  { minLat: 48.76, maxLat: 48.82, minLon: 44.5, maxLon: 44.62 },
  { minLat: 48.48, maxLat: 48.56, minLon: 44.5, maxLon: 44.6 },
];
const inside = (area: (typeof AREAS)[number], { lat, lon }: { lat: number; lon: number }): boolean =>
  lat >= area.minLat && lat <= area.maxLat && lon >= area.minLon && lon <= area.maxLon;

async function artifact(name: string): Promise<{ abi: unknown[]; bytecode: string }> {
  const { readFile } = await import("node:fs/promises");
  return JSON.parse(await readFile(path.join(ROOT, "artifacts/contracts", `${name}.sol`, `${name}.json`), "utf8"));
}

/** Text with the non-breaking spaces of ru-RU numbers as plain ones. */
const plain = (text: string): string => text.replace(/\s/g, " ");

async function increaseTime(seconds: number): Promise<void> {
  await node.provider.send("evm_increaseTime", [seconds]);
  await node.provider.send("evm_mine", []);
}

/** A PNG photo of `width` × `height` pixels: stripes of two colours, as a phone's camera would give a big file. */
function photo(width: number, height: number, a: Rgb, b: Rgb): Buffer {
  return png(width, height, (x, y) => (((x >> 5) + (y >> 5)) % 2 ? a : b));
}

before(async () => {
  node = await startNode();
  round = await setupRound(node);
  chainId = round.config.chainId;
  const [admin, registrar] = await Promise.all([0, 3].map((i) => node.provider.getSigner(i)));
  committee = Wallet.createRandom(node.provider);
  experts = [Wallet.createRandom(node.provider), Wallet.createRandom(node.provider)];
  for (const wallet of [committee, ...experts]) {
    await (await admin.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
  }
  const { abi, bytecode } = await artifact("ContestFactory");
  const factory = await new ContractFactory(abi as never, bytecode, admin).deploy();
  await factory.waitForDeployment();
  factoryAddress = await factory.getAddress();
  const template = templateDocument({
    name: "Конкурс инициатив",
    districts: DISTRICTS,
    areas: AREAS,
    categories: ["landscaping", "playgrounds", "sport"],
    criteria: [
      { weight: 2, maxScore: 10, floorBps: 0, name: "Польза для жителей" },
      { weight: 1, maxScore: 10, floorBps: 0, name: "Обоснованность сметы" },
    ],
  });
  const now = Number((await node.provider.getBlock("latest"))!.timestamp);
  const config = {
    name: "Конкурс инициатив",
    admin: await admin.getAddress(),
    adminTransferDelay: 0,
    committee: committee.address,
    registrar: await registrar.getAddress(),
    submissionsOpenAt: now + 60,
    submissionsCloseAt: now + 30 * 86_400,
    reviewClosesAt: now + 60 * 86_400,
    districtCount: DISTRICTS.length,
    templateHash: contentHash(template),
    passMarkBps: 5_000,
    minGroup: 3,
    minSheets: 2,
    criteria: [
      { weight: 2, maxScore: 10, floorBps: 0 },
      { weight: 1, maxScore: 10, floorBps: 0 },
    ],
    experts: experts.map((expert) => expert.address),
  };
  const create = factory.getFunction("createContest");
  contestAddress = (await create.staticCall(config)) as string;
  const fromBlock = (await (await create(config)).wait())!.blockNumber;
  contest = new Contract(contestAddress, (await artifact("Contest")).abi as never, node.provider);

  const published = path.join(round.siteDir, "published");
  services = await startServices({
    rpcUrl: node.url,
    contest: contestAddress,
    publication: published,
    db: path.join(round.siteDir, "services.sqlite"),
    options: [
      "--contest-messages-per-client-per-minute",
      "100000",
      "--uploads-per-client-per-hour",
      "100000",
      "--post-every",
      "1",
    ],
  });
  const response = await fetch(`${services.url}/content?hash=${contentHash(template)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: Buffer.from(template),
  });
  assert.equal(response.status, 201);
  const dappConfig: KopilkaConfig = {
    ...round.config,
    servicesUrl: services.url,
    contest: contestAddress as `0x${string}`,
    contestFromBlock: fromBlock,
    contestFactory: factoryAddress as `0x${string}`,
  };
  await writeFile(path.join(round.siteDir, "kopilka.config.json"), JSON.stringify(dappConfig, null, 2) + "\n");
  site = await serveSite(round.siteDir, node.url);
  browser = await launchChromium();
  await increaseTime(120);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await services?.stop();
  node?.stop();
  if (round) await rm(round.siteDir, { recursive: true, force: true });
});

/** A new, empty browser profile on a 360 px phone, with its own key for the contest in the site's IndexedDB. */
async function residentPage(): Promise<{ page: Page; account: string }> {
  const page = await openPage(browser, { rpcUrl: round.config.rpcUrl, chainId, width: 360 });
  await page.goto(`${site.url}/contest`);
  // No named functions inside: the page cannot see the helpers tsx adds around them.
  const publicKey = await page.evaluate(async () => {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const raw = [...new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))].map((b) =>
      b.toString(16).padStart(2, "0"),
    );
    (window as unknown as { __pair: CryptoKeyPair }).__pair = pair;
    return { x: `0x${raw.slice(1, 33).join("")}`, y: `0x${raw.slice(33, 65).join("")}` };
  });
  const account = keyAddress(publicKey as { x: `0x${string}`; y: `0x${string}` });
  await page.evaluate(
    async ({ id, publicKey, account }) => {
      const pair = (window as unknown as { __pair: CryptoKeyPair }).__pair;
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open("kopilka-resident", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("keys", { keyPath: "id" });
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const tx = request.result.transaction("keys", "readwrite");
          tx.objectStore("keys").put({ id, privateKey: pair.privateKey, publicKey, account });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      });
    },
    { id: `${chainId}:${contestAddress.toLowerCase()}`, publicKey, account },
  );
  return { page, account };
}

/**
 * A resident with no key for the contest: "Предложить проект" leads to the phone sign-in, which enrolls them into the
 * contest (the number, the code from the demo's SMS inbox) and brings them back to the form.
 */
async function phoneResident(): Promise<{ page: Page; account: string }> {
  const page = await openPage(browser, { rpcUrl: round.config.rpcUrl, chainId, width: 360 });
  await page.goto(`${site.url}/contest/propose`);
  await page.getByTestId("sign-in-needed").waitFor();
  await screenshots(page, "contest-sign-in-needed");
  await page.getByTestId("phone-sign-in").click();
  await page.getByRole("heading", { name: "Вход по номеру телефона" }).waitFor();
  assert.match(await page.locator("form p").first().innerText(), /предложить проект или поддержать заявку соседей/);
  await screenshots(page, "contest-phone");
  await page.getByLabel("Номер мобильного телефона").fill("8 916 200-00-01");
  await page.getByRole("button", { name: "Получить код" }).click();
  const message = page.getByTestId("demo-inbox").locator("li[data-code]").first();
  await message.waitFor();
  await page.getByLabel(/Код из СМС/).fill((await message.getAttribute("data-code"))!);
  await page.getByRole("button", { name: "Подтвердить" }).click();
  await page.waitForURL(`${site.url}/contest/propose`);
  await page.getByLabel("Название проекта").waitFor();
  const account = await page.evaluate(
    async (id) =>
      await new Promise<string>((resolve, reject) => {
        const request = indexedDB.open("kopilka-resident", 1);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const get = request.result.transaction("keys").objectStore("keys").get(id);
          get.onsuccess = () => resolve((get.result as { account: string }).account);
          get.onerror = () => reject(get.error);
        };
      }),
    `${chainId}:${contestAddress.toLowerCase()}`,
  );
  return { page, account };
}

/** A staff page (`/contest-staff/screening` or `/scoring`) at 1280 px, signed in with `wallet` injected. */
async function staffPage(wallet: HDNodeWallet, name: "screening" | "scoring"): Promise<Page> {
  const page = await openPage(browser, { wallet, rpcUrl: round.config.rpcUrl, chainId });
  await page.goto(`${site.url}/contest-staff/${name}`);
  await connect(page);
  return page;
}

async function postResidents(accounts: string[]): Promise<void> {
  const registrar = contest.connect(await node.provider.getSigner(3)) as Contract;
  const tree = buildParticipantTree(accounts.map((account) => ({ account, district: ANY_DISTRICT, amount: 0n })));
  const batchId = Number(await contest.batchCount());
  await publishBatch(roundDirectory(path.join(round.siteDir, "published"), chainId, contestAddress), batchId, tree);
  await (await registrar.getFunction("postResidents")(tree.root)).wait();
}

async function fillForm(page: Page, title: string): Promise<void> {
  await page.getByLabel("Название проекта").fill(title);
  await page
    .getByLabel("Описание")
    .fill("Поставить шесть скамеек и две урны вдоль дорожки у пруда: там гуляют с детьми и пожилые люди.");
  await page.getByLabel("Район").selectOption({ label: "Северный" });
  await page.getByLabel("Направление").selectOption("landscaping");
  await page.locator("#cost-item-0").fill("Скамейки, 6 шт.");
  await page.locator("#cost-amount-0").fill("360000");
  await page.getByTestId("add-cost").click();
  await page.locator("#cost-item-1").fill("Установка");
  await page.locator("#cost-amount-1").fill("90000,50");
  await page.getByLabel("Широта").fill("48.708");
  await page.getByLabel("Долгота").fill("44.5133");
}

/** A chain time as the committee's form takes it: `datetime-local` in the page's zone, Volgograd's. */
const volgograd = (seconds: number): string =>
  new Date(seconds * 1000).toLocaleString("sv-SE", { timeZone: "Europe/Volgograd" }).replace(" ", "T").slice(0, 16);

describe("A contest of initiatives, in the browser", () => {
  it("the committee creates a contest from its page: a bad field is named first, then the rules are on chain and the template in the content store", async () => {
    const page = await openPage(browser, { wallet: committee, rpcUrl: round.config.rpcUrl, chainId });
    await page.goto(`${site.url}/committee`);
    await connect(page);
    await page.getByText("Заполнить правила конкурса").click();
    const form = page.getByTestId("create-contest");
    assert.equal(await form.getByLabel("Адрес фабрики конкурсов").inputValue(), factoryAddress);
    const opensAt = Math.ceil((Number((await node.provider.getBlock("latest"))!.timestamp) + 86_400) / 60) * 60;
    const closesAt = opensAt + 30 * 86_400;
    const reviewClosesAt = opensAt + 45 * 86_400;
    await form.getByLabel("Название конкурса").fill("Конкурс дворов 2027");
    await form.getByLabel("Приём заявок открывается").fill(volgograd(opensAt));
    await form.getByLabel("Приём заявок закрывается").fill(volgograd(closesAt));
    await form.getByLabel("Оценка экспертов заканчивается").fill(volgograd(reviewClosesAt));
    await form.getByLabel("Районы, по одному в строке").fill(DISTRICTS.join("\n"));
    await form.getByLabel("Минимальная инициативная группа").fill("2");
    await form.getByLabel("Критерий 1: название").fill("Польза для жителей");
    await form.getByLabel("Критерий 1: вес").fill("3");
    await form.getByRole("button", { name: "Добавить критерий" }).click();
    await form.getByLabel("Критерий 2: название").fill("Реализуемость");
    await form.getByLabel("Критерий 2: вес").fill("два");
    await form.getByLabel("Критерий 2: наибольший балл").fill("5");
    await form.getByLabel("Проходной балл").fill("60");
    await form.getByLabel("Минимум оценочных листов").fill("2");
    await form.getByLabel("Адреса кошельков экспертов").fill(experts.map((e) => e.address).join("\n"));

    // The weight in words is refused before anything is sent, the field named as the form names it.
    await form.getByRole("button", { name: "Проверить" }).click();
    const problems = form.getByTestId("contest-problems");
    await problems.waitFor();
    assert.deepEqual(await problems.locator("li").allInnerTexts(), ["Критерий 2: вес: нужно целое число от 1 до 1000"]);
    await screenshots(page, "committee-contest-form", { citizen: false });
    const contestsBefore = await node.provider.getTransactionCount(committee.address);
    await form.getByRole("button", { name: "Создать конкурс" }).click();
    await problems.waitFor();
    assert.equal(await node.provider.getTransactionCount(committee.address), contestsBefore);

    await form.getByLabel("Критерий 2: вес").fill("2");
    await form.getByRole("button", { name: "Создать конкурс" }).click();
    const created = page.getByTestId("contest-created");
    await created.waitFor({ timeout: 60_000 });
    await screenshots(page, "committee-contest-created", { citizen: false });
    const address = (await created.getAttribute("data-contest"))!;
    assert.match(await created.innerText(), new RegExp(`Конкурс «Конкурс дворов 2027» создан: ${address}`));

    // The rules on chain are what the committee typed; the roles left out went to its wallet.
    const made = new Contract(address, (await artifact("Contest")).abi as never, node.provider);
    const template = templateDocument({
      name: "Конкурс дворов 2027",
      districts: DISTRICTS,
      categories: [...CATEGORIES],
      criteria: [
        { name: "Польза для жителей", weight: 3, maxScore: 10, floorBps: 0 },
        { name: "Реализуемость", weight: 2, maxScore: 5, floorBps: 0 },
      ],
    });
    assert.equal(await made.name(), "Конкурс дворов 2027");
    assert.deepEqual(
      [await made.submissionsOpenAt(), await made.submissionsCloseAt(), await made.reviewClosesAt()],
      [BigInt(opensAt), BigInt(closesAt), BigInt(reviewClosesAt)],
    );
    assert.equal(Number(await made.districtCount()), DISTRICTS.length);
    assert.equal(Number(await made.passMarkBps()), 6_000);
    assert.equal(Number(await made.minGroup()), 2);
    assert.equal(Number(await made.minSheets()), 2);
    assert.deepEqual(
      (await made.criteria()).map((c: { weight: bigint; maxScore: bigint; floorBps: bigint }) =>
        [c.weight, c.maxScore, c.floorBps].map(Number),
      ),
      [
        [3, 10, 0],
        [2, 5, 0],
      ],
    );
    assert.deepEqual(
      [...(await made.experts())],
      experts.map((e) => e.address),
    );
    assert.ok(await made.hasRole(await made.COMMITTEE_ROLE(), committee.address));
    assert.equal(await made.templateHash(), contentHash(template));

    // The template is in the resident services' content store under that hash, byte for byte.
    const stored = await fetch(`${services.url}/content/${contentHash(template)}`);
    assert.equal(stored.status, 200);
    assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), template);
    await page.context().close();
  });

  it("the form's map draws the configured tiles under the district, from a tile host the page's policy allows", async () => {
    // A tile host on this machine: every tile one colour, so that the map's pixels show whether tiles were drawn.
    const TILE_COLOUR: Rgb = [214, 96, 40];
    const tile = png(256, 256, () => TILE_COLOUR);
    const requested: string[] = [];
    const host = createServer((request, response) => {
      requested.push(request.url ?? "");
      response.writeHead(200, { "content-type": "image/png", "access-control-allow-origin": "*" });
      response.end(tile);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    const tiles = `http://127.0.0.1:${(host.address() as AddressInfo).port}/{z}/{x}/{y}.png`;
    const configFile = path.join(round.siteDir, "kopilka.config.json");
    const config = await readFile(configFile, "utf8");
    await writeFile(
      configFile,
      JSON.stringify({ ...JSON.parse(config), mapTiles: { url: tiles, attribution: "© Плитки для проверки" } }),
    );
    try {
      const { page } = await residentPage();
      await page.goto(`${site.url}/contest/propose`);
      await page.getByLabel("Район").selectOption({ label: "Южный" });
      const map = page.getByTestId("place-map");
      await page.getByText("© Плитки для проверки").waitFor();
      // The tiles the page asks for are the XYZ tiles of one zoom level, those that cover the district's area.
      const drawn = await page
        .locator("[data-tile]")
        .evaluateAll((images) => images.map((i) => i.getAttribute("href")));
      assert.ok(drawn.length > 0);
      for (const href of drawn) assert.match(href!, /^http:\/\/127\.0\.0\.1:\d+\/(\d+)\/\d+\/\d+\.png$/);
      assert.equal(new Set(drawn.map((href) => href!.split("/")[3])).size, 1);
      // Most of the map is the tiles' colour once they are drawn (the district's area is shaded a little over them).
      let share = 0;
      for (let attempt = 0; attempt < 50 && share < 0.6; attempt++) {
        await page.waitForTimeout(200);
        const shot = (await map.screenshot()).toString("base64");
        share = await page.evaluate(
          async ({ shot, colour }) => {
            const image = new Image();
            image.src = `data:image/png;base64,${shot}`;
            await image.decode();
            const canvas = document.createElement("canvas");
            [canvas.width, canvas.height] = [image.width, image.height];
            const context = canvas.getContext("2d")!;
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height).data;
            let near = 0;
            for (let i = 0; i < pixels.length; i += 4) {
              if ([0, 1, 2].every((c) => Math.abs(pixels[i + c] - colour[c]) <= 40)) near++;
            }
            return near / (pixels.length / 4);
          },
          { shot, colour: TILE_COLOUR },
        );
      }
      assert.ok(share >= 0.6, `${Math.round(share * 100)}% of the map is the tiles' colour`);
      // The tile host served every tile on the map (and the region's, drawn before the district was chosen).
      for (const href of drawn) assert.ok(requested.includes(new URL(href!).pathname), href!);
      await screenshots(page, "contest-form-map-tiles");
      await page.context().close();
    } finally {
      await writeFile(configFile, config);
      await new Promise((resolve) => host.close(resolve));
    }
  });

  it("a resident proposes a project with two photos, two neighbours join it, the committee returns it, the resident amends it, the experts score it and it passes", async () => {
    const author = await residentPage();
    const first = await residentPage();
    await postResidents([author.account, first.account]);
    const second = await phoneResident();
    const { page } = author;

    await page.goto(`${site.url}/contest/propose`);
    await page.getByRole("heading", { name: "Предложить проект" }).waitFor();
    await page.getByTestId("to-check").click();
    await page.getByTestId("error-summary").waitFor();
    assert.match(await page.getByTestId("error-summary").innerText(), /Напишите название проекта/);
    await screenshots(page, "contest-form-errors");

    await fillForm(page, "Скамейки у пруда");
    // The place is a pin on OpenStreetMap's own site: the page loads no map tiles.
    assert.equal(
      await page.getByTestId("map-link").getAttribute("href"),
      "https://www.openstreetmap.org/?mlat=48.708&mlon=44.5133#map=17/48.708/44.5133",
    );
    // The form's map frames the chosen district's area; the typed place stands outside it, so no pin is seen yet.
    const map = page.getByTestId("place-map");
    assert.equal(await map.getAttribute("aria-label"), "Место проекта на карте: Северный");
    await page.getByTestId("district-area").waitFor();
    // A tap in the map puts the pin there and writes its coordinates, to 6 decimals, inside the district's area.
    const box = (await map.boundingBox())!;
    assert.ok(box.width >= 320 && box.height >= 240, `the map is ${box.width} × ${box.height} px at 360 px`);
    await map.click({ position: { x: box.width * 0.4, y: box.height * 0.6 } });
    const typed = async () => ({
      lat: await page.getByLabel("Широта").inputValue(),
      lon: await page.getByLabel("Долгота").inputValue(),
    });
    const tapped = await typed();
    assert.match(tapped.lat, /^\d+\.\d{6}$/);
    assert.match(tapped.lon, /^\d+\.\d{6}$/);
    assert.ok(inside(AREAS[1], { lat: Number(tapped.lat), lon: Number(tapped.lon) }), JSON.stringify(tapped));
    const pinAt = async () => (await page.getByTestId("pin").getAttribute("transform"))!;
    const tappedPin = await pinAt();
    // The arrow keys move the pin from the keyboard: up is north, right is east.
    await map.focus();
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowRight");
    const moved = await typed();
    assert.ok(Number(moved.lat) > Number(tapped.lat) && Number(moved.lon) > Number(tapped.lon), JSON.stringify(moved));
    // Typed coordinates move the pin too.
    await page.getByLabel("Широта").fill("48.79");
    await page.getByLabel("Долгота").fill("44.56");
    assert.notEqual(await pinAt(), tappedPin);
    await map.click({ position: { x: box.width * 0.4, y: box.height * 0.6 } });
    assert.deepEqual(await typed(), tapped);
    assert.equal(await pinAt(), tappedPin);
    await page.getByTestId("photo-input").setInputFiles([
      { name: "pond.png", mimeType: "image/png", buffer: photo(2400, 1800, [40, 120, 200], [230, 230, 210]) },
      { name: "path.png", mimeType: "image/png", buffer: photo(1200, 1600, [60, 160, 60], [200, 190, 150]) },
    ]);
    await page.locator('[data-testid="photo-list"] img').nth(1).waitFor();
    assert.equal(plain(await page.getByTestId("cost-total").innerText()), "Всего: 450 000,50 ₽");
    // The previews are shown as soon as they are made; their pixels may come a moment later.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('[data-testid="photo-list"] img')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    const sizes = await page.$$eval('[data-testid="photo-list"] img', (images) =>
      images.map((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]),
    );
    // Made smaller in the browser: at most 1600 px a side, the proportions kept.
    assert.deepEqual(sizes, [
      [1600, 1200],
      [1200, 1600],
    ]);
    await screenshots(page, "contest-form");
    await expectAccessible(page);

    await page.getByTestId("to-check").click();
    await page.getByTestId("check-answers").waitFor();
    assert.equal(plain(await page.getByTestId("answer-cost").innerText()), "450 000,50 ₽");
    await screenshots(page, "contest-check");
    await page.getByTestId("send").click();
    await page.getByTestId("sent").waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("initiative-number").innerText(), "Номер заявки: 1");
    const link = await page.getByTestId("share-link").innerText();
    assert.equal(link, `${site.url}/contest/initiative/0`);
    await screenshots(page, "contest-sent");
    // The published application's place is the tapped one, inside its district's area.
    const stored = await fetch(`${services.url}/content/${(await contest.initiative(0)).contentHash}`);
    const { location } = (await stored.json()) as { location: { lat: number; lon: number } };
    assert.deepEqual(location, { lat: Number(tapped.lat), lon: Number(tapped.lon) });
    assert.ok(inside(AREAS[1], location));

    for (const neighbour of [first, second]) {
      await neighbour.page.goto(link);
      await neighbour.page.getByTestId("join").click();
      await neighbour.page.getByTestId("joined").waitFor({ timeout: 60_000 });
    }
    // A visitor with no key is led from the initiative's page to the phone sign-in, and back to it after.
    const visitor = await openPage(browser, { rpcUrl: round.config.rpcUrl, chainId, width: 360 });
    await visitor.goto(link);
    assert.equal(
      await visitor.getByTestId("phone-sign-in").getAttribute("href"),
      "/phone?next=%2Fcontest%2Finitiative%2F0",
    );
    await visitor.context().close();
    // The one who signed in by phone is in the contest's posted list, put there by the services.
    const posted = await fetch(`${services.url}/enroll/status/${second.account}`).then((r) => r.json());
    assert.equal(posted.status, "posted");
    await first.page.reload();
    await first.page.getByText("Инициативная группа собрана: 3").waitFor();
    await screenshots(first.page, "contest-initiative-joined");

    // The committee returns it from the screening page: the reason is stored by the services, its hash on chain.
    const screening = await staffPage(committee, "screening");
    await screening.locator("[data-screening='0']").waitFor();
    await screening.getByTestId("return-0").click();
    await screening.getByText("Напишите причину: она будет опубликована.").waitFor();
    await screening.getByTestId("reason-0").fill("Уточните смету: в ней нет урн.");
    await screening.getByTestId("return-0").click();
    await screening.locator('[data-tx="done"]').waitFor({ timeout: 60_000 });
    assert.match(await screening.locator('[data-tx="done"]').innerText(), /^Готово: блок \d+$/);
    await screening.getByText("Нет заявок, ждущих решения.").waitFor();
    await screenshots(screening, "contest-screening-returned", { citizen: false });

    await page.goto(link);
    await page.getByTestId("reason").getByText("Уточните смету: в ней нет урн.").waitFor();
    assert.equal(await page.getByTestId("status").innerText(), "Возвращена на доработку");
    await screenshots(page, "contest-returned");
    await page.getByTestId("amend").click();
    await page.getByLabel("Название проекта").waitFor();
    assert.equal(await page.getByLabel("Название проекта").inputValue(), "Скамейки у пруда");
    await page.getByTestId("add-cost").click();
    await page.locator("#cost-item-2").fill("Урны, 2 шт.");
    await page.locator("#cost-amount-2").fill("12000");
    await page.getByTestId("to-check").click();
    await page.getByTestId("send").click();
    await page.getByTestId("sent").waitFor({ timeout: 60_000 });

    await page.goto(link);
    await page.getByText("Редакция 2 (действующая)").waitFor();
    assert.equal(plain(await page.getByTestId("answer-cost").innerText()), "462 000,50 ₽");
    assert.equal(await page.getByTestId("group").innerText(), "Инициативная группа: 1 из 3");
    await screenshots(page, "contest-amended");

    await page.goto(`${site.url}/contest?district=1`);
    await page.locator("[data-initiative='0']").waitFor();
    assert.equal(await page.locator("[data-initiative='0'] [data-testid=status]").innerText(), "Собирает группу");
    await screenshots(page, "contest-list");
    await page.goto(`${site.url}/contest?district=0`);
    await page.getByText("Пока нет ни одной заявки.").waitFor();

    const onChain = await contest.getFunction("initiative")(0n);
    assert.equal(Number(onChain.version), 2);
    assert.equal(String(onChain.author).toLowerCase(), author.account.toLowerCase());

    // The neighbours join the new version; the committee admits it from the screening page.
    for (const neighbour of [first, second]) {
      await neighbour.page.goto(link);
      await neighbour.page.getByTestId("join").click();
      await neighbour.page.getByTestId("joined").waitFor({ timeout: 60_000 });
    }
    await screening.reload();
    await screening.getByText("Группа: 3 из 3").waitFor();
    await screening.getByTestId("admit-0").click();
    await screening.locator('[data-tx="done"]').waitFor({ timeout: 60_000 });
    await screening.getByText("Нет заявок, ждущих решения.").waitFor();

    // Two experts score it from the scoring page and sign their sheets with their wallets; the services relay them.
    const marks = [
      ["8", "6", "Полезно, смета разумная."],
      ["9", "7", ""],
    ];
    for (const [i, expert] of experts.entries()) {
      const scoring = await staffPage(expert, "scoring");
      await scoring.locator("[data-sheet='0']").waitFor();
      await scoring.getByTestId("score-0-0").fill(marks[i][0]);
      await scoring.getByTestId("score-0-1").fill(marks[i][1]);
      if (marks[i][2]) await scoring.getByLabel("Комментарий").fill(marks[i][2]);
      assert.equal(await scoring.getByTestId("sign-0").isDisabled(), true);
      await scoring.getByTestId("no-conflict-0").check();
      if (i === 0) await screenshots(scoring, "contest-scoring", { citizen: false });
      await scoring.getByTestId("sign-0").click();
      await scoring.getByText("Оценочный лист записан.").waitFor({ timeout: 60_000 });
      await scoring.context().close();
    }
    assert.equal(Number((await contest.getFunction("initiative")(0n)).sheets), 2);

    // Once the review has closed, the committee records the outcome from the same page.
    await increaseTime(61 * 86_400);
    await screening.reload();
    await screening.getByTestId("decide").click();
    await screening.locator('[data-tx="done"]').waitFor({ timeout: 60_000 });

    await page.goto(link);
    await page.getByTestId("score").waitFor();
    assert.equal(await page.getByTestId("status").innerText(), "Прошла отбор");
    // (2·8 + 6) / 30 and (2·9 + 7) / 30: 73.3 and 83.3 of 100, 78.3 on average, over the pass mark of 50.
    assert.match(plain(await page.getByTestId("score").innerText()), /^Итоговый балл: 78\.3 из 100/);
    await screenshots(page, "contest-passed");

    // The committee creates the round from the outcome on the same page: the contest's districts, its passed
    // initiatives as the projects, made by the core as `kopilka round create --from-contest` makes them.
    await screening.reload();
    const form = screening.getByTestId("round-from-contest");
    await form.getByTestId("passed-initiatives").waitFor();
    assert.deepEqual((await form.getByTestId("passed-initiatives").locator("li").allTextContents()).map(plain), [
      "Заявка № 1: Скамейки у пруда (Северный, 462 000,50 ₽)",
    ]);
    const opensAt = Math.ceil((Number((await node.provider.getBlock("latest"))!.timestamp) + 86_400) / 60) * 60;
    // The form reads the committee's own time (the page's zone, Volgograd's).
    const local = (seconds: number): string =>
      new Date(seconds * 1000).toLocaleString("sv-SE", { timeZone: "Europe/Volgograd" }).replace(" ", "T").slice(0, 16);
    await form.getByLabel("Название раунда").fill("Голосование по итогам конкурса");
    await form.getByLabel("Голосование открывается").fill(local(opensAt));
    await form.getByLabel("Голосование закрывается").fill(local(opensAt + 14 * 86_400));
    await form.getByLabel("Сколько рублей получает каждый житель").fill("1000");
    for (const [i, budget] of ["500000", "700000", "300000"].entries()) {
      assert.equal(await form.getByLabel(`Район ${i + 1}: название`).inputValue(), DISTRICTS[i]);
      await form.getByLabel(`Район ${i + 1}: бюджет, рублей`).fill(budget);
    }
    await form.getByRole("button", { name: "Проверить" }).click();
    await screenshots(screening, "contest-round-form", { citizen: false });
    // The round, its three districts and its one project.
    await form.getByRole("button", { name: "Создать раунд (5 транзакций)" }).click();
    await form.getByTestId("created").waitFor({ timeout: 120_000 });
    await screenshots(screening, "contest-round-created", { citizen: false });
    const newRound = (await form.getByTestId("created").locator("p").first().textContent())!.split(": ")[1].trim();
    // Published as the committee would: the round's manifest, its projects' descriptions and the dApp's config.
    const downloaded = (name: string) =>
      form
        .locator(`a[data-path="${name}"][href]`)
        .evaluate((a: HTMLAnchorElement) => fetch(a.href).then((r) => r.text()));
    const roundDir = roundDirectory(path.join(round.siteDir, "published"), chainId, newRound);
    await mkdir(path.join(roundDir, "projects"), { recursive: true });
    for (const file of ["round.json", "projects/0.json"]) {
      await writeFile(path.join(roundDir, file), await downloaded(file));
    }
    await writeFile(path.join(round.siteDir, "kopilka.config.json"), await downloaded("/kopilka.config.json"));
    await screening.context().close();

    // The ballot of the new round lists exactly the initiative that passed, by its title, in its district.
    await page.goto(`${site.url}/district/1`);
    await page.getByRole("heading", { name: "Скамейки у пруда" }).waitFor({ timeout: 60_000 });
    assert.deepEqual(await page.locator("article.project :is(h2, h3)").allTextContents(), ["Скамейки у пруда"]);
    for (const district of [0, 2]) {
      await page.goto(`${site.url}/district/${district}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      assert.equal(await page.locator("article.project").count(), 0);
    }
    // And the audit with the contest passes its contest checks: the ballot is the passed set.
    const published = path.join(round.siteDir, "published");
    const { report } = await labelledAudit({
      rpc: node.url,
      round: newRound,
      published,
      residentBalances: false,
      contest: {
        contest: contestAddress,
        content: openContentFiles(roundDirectory(published, chainId, contestAddress)),
      },
    });
    assert.deepEqual(
      report.checks.filter((check) => check.id.startsWith("contest-")).map((check) => [check.id, check.status]),
      [
        ["contest-content", "pass"],
        ["contest-sheets", "pass"],
        ["contest-outcomes", "pass"],
        ["contest-groups", "pass"],
        ["contest-ballot", "pass"],
      ],
    );

    // Nobody but the services paid: the residents' accounts hold nothing and sent nothing.
    for (const { account } of [author, first, second]) {
      assert.equal(await node.provider.getTransactionCount(account), 0);
    }
    // The experts' sheets were relayed too: their wallets signed, and sent nothing.
    for (const expert of experts) assert.equal(await node.provider.getTransactionCount(expert.address), 0);
  });
});
