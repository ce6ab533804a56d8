import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { silentOutput } from "../../scripts/cli/context.js";
import { CommandError } from "../../scripts/hardhat/connection.js";
import { checkContest, loadContest, openContentFiles } from "@kopilka/core/node";
import { districtArea, readJsonContent, type TemplateDocument } from "@kopilka/core/contest";
import { manifestPath } from "@kopilka/core/publication";
import { decodeDistrictSnapshot, decodeRoundSnapshot } from "@kopilka/core/snapshot";
import { HARDHAT_ACCOUNT_COUNT } from "../../scripts/demo/data.js";
import { portIsFree, readyMessage, ROOT, startDemo, type RunningDemo } from "../../scripts/demo/run.js";
import { Round__factory, Airdrop__factory } from "../../typechain-types/index.js";
import { tempDir } from "../cli/helpers.js";
import { freePort } from "../../scripts/hardhat/localnode.js";
import { inboxCode, postJson, statusWhen } from "../../scripts/services/client.js";
import { p256KeySigner } from "@kopilka/core/keys";

describe("npm run demo", function () {
  const deploymentId = `test-demo-${process.pid}`;
  const dir = tempDir("kopilka-demo-");
  const publicationBase = path.join(dir, "published");
  const configFile = path.join(dir, "kopilka.config.json");
  let demo: RunningDemo | undefined;
  let rpcPort: number;
  /** What the demo printed in its terminal. */
  const printed: string[] = [];

  before(async function () {
    rpcPort = await freePort();
    demo = await startDemo({
      rpcPort,
      webPort: 0,
      residents: 400,
      voters: 300,
      contestInitiatives: 6,
      publicationBase,
      deploymentId,
      configFile,
      buildFrontend: false,
      out: { ...silentOutput, info: (message) => printed.push(message) },
    });
  });

  after(async function () {
    await demo?.stop();
    rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens the Volgograd round with 45 districts and 277 projects, and the ballots are in", async function () {
    const provider = new JsonRpcProvider(demo!.rpcUrl, undefined, { staticNetwork: true });
    try {
      const round = Round__factory.connect(demo!.round, provider);
      const airdrop = Airdrop__factory.connect(await round.airdrop(), provider);
      expect(await round.opened()).to.equal(true);
      expect(await round.districtCount()).to.equal(45n);
      expect(await round.projectCount()).to.equal(277n);
      const now = BigInt((await provider.getBlock("latest"))!.timestamp);
      expect(now).to.be.at.least(await round.opensAt());
      expect((await round.closesAt()) - now).to.be.greaterThan(13n * 86_400n);
      expect(demo!.residents).to.equal(400);
      expect(demo!.ballots).to.equal(300);
      const batch = await airdrop.batch(0);
      // Every voter claimed an equal share of the budget.
      expect(await airdrop.claimedTotal()).to.equal((batch.total / 400n) * 300n);
      expect(demo!.residents).to.be.greaterThan(HARDHAT_ACCOUNT_COUNT);
    } finally {
      provider.destroy();
    }
  });

  it("plays a contest of initiatives before the round, published so that the auditor's contest checks pass", async function () {
    const { contest } = demo!;
    expect(contest).to.deep.include({ initiatives: 6, passed: 2 });
    const data = await loadContest({ rpc: demo!.rpcUrl, contest: contest.contest });
    const checks = await checkContest(data, openContentFiles(path.dirname(contest.manifestFile)));
    expect(checks.map((check) => [check.id, check.status])).to.deep.equal([
      ["contest-content", "pass"],
      ["contest-sheets", "pass"],
      ["contest-outcomes", "pass"],
      ["contest-groups", "pass"],
    ]);
    // Each district's area on the form's map is in the template, and every initiative is placed inside its district's.
    const contestDir = path.dirname(contest.manifestFile);
    const content = (hash: string) => readJsonContent(readFileSync(path.join(contestDir, "content", hash)));
    const template = content(data.settings.templateHash) as TemplateDocument;
    expect(template.areas).to.have.length(template.districts.length);
    for (const initiative of data.initiatives) {
      const { location } = content(initiative.contentHash) as { location: { lat: number; lon: number } };
      const area = districtArea(template, initiative.district)!;
      expect(location.lat).to.be.within(area.minLat, area.maxLat);
      expect(location.lon).to.be.within(area.minLon, area.maxLon);
    }
  });

  it("serves the runtime config the dApp reads, with the node on the site's own origin, and the published files", async function () {
    const config = await (await fetch(`${demo!.webUrl}/kopilka.config.json`)).json();
    // The dev server's copy names the node itself; the served site reaches it at /rpc.
    expect(config).to.deep.equal({ ...JSON.parse(readFileSync(configFile, "utf8")), rpcUrl: "/rpc" });
    expect(JSON.parse(readFileSync(configFile, "utf8"))).to.include({ rpcUrl: demo!.rpcUrl });
    expect(config).to.include({ chainId: 31337, round: demo!.round, publishedBase: "/published" });
    const chainId = await fetch(`${demo!.webUrl}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(((await chainId.json()) as { result: string }).result).to.equal("0x7a69");
    const roundUrl = `${demo!.webUrl}/published/31337/${demo!.round.toLowerCase()}`;
    const served = await (await fetch(`${roundUrl}/round.json`)).text();
    expect(served).to.equal(readFileSync(manifestPath(publicationBase, 31337, demo!.round), "utf8"));
  });

  it("shows the contest in the dApp: its address in the config, its relay and content served by the services", async function () {
    const { contest } = demo!;
    const config = await (await fetch(`${demo!.webUrl}/kopilka.config.json`)).json();
    expect(config).to.include({ contest: contest.contest, contestFromBlock: contest.fromBlock });
    const relay = (await (await fetch(`${demo!.servicesUrl}/contest/config`)).json()) as { contest: string };
    expect(relay).to.include({ chainId: "31337" });
    expect(String(relay.contest).toLowerCase()).to.equal(contest.contest.toLowerCase());
    const hash = readdirSync(path.join(path.dirname(contest.manifestFile), "content"))[0];
    const content = await fetch(`${demo!.servicesUrl}/content/${hash}`);
    expect(content.status).to.equal(200);
    expect(Buffer.from(await content.arrayBuffer())).to.deep.equal(
      readFileSync(path.join(path.dirname(contest.manifestFile), "content", hash)),
    );
  });

  it("runs the resident services: a phone gets a code printed in the terminal, enrolls and is posted", async function () {
    const config = await (await fetch(`${demo!.webUrl}/kopilka.config.json`)).json();
    expect(config).to.include({ servicesUrl: demo!.servicesUrl, relayerUrl: demo!.servicesUrl });
    const phone = "+79161112233";
    const key = p256KeySigner();
    expect((await postJson(`${demo!.servicesUrl}/enroll/code`, { phone })).code).to.equal(200);
    const code = await inboxCode(demo!.servicesUrl, phone);
    for (let i = 0; i < 50 && !printed.some((line) => line.includes(code!)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(printed.find((line) => line.includes(code!))).to.match(/^\[demo SMS\] \+79161112233: .*\d{6}/);
    // The demo round binds residents to the district they choose.
    const verified = await postJson(`${demo!.servicesUrl}/enroll/verify`, {
      phone,
      code,
      publicKey: key.publicKey,
      district: 0,
    });
    expect(verified.code, JSON.stringify(verified.json)).to.equal(201);
    // The demo posts at least every 10 s.
    const posted = await statusWhen(demo!.servicesUrl, key.address, "posted", 30_000);
    expect(posted.json.status).to.equal("posted");
  });

  it("prints commands that reach its own node, never the default port", function () {
    const commands = readyMessage(demo!, publicationBase)
      .split("\n")
      .filter((line) => line.includes("npx kopilka"));
    expect(commands.length).to.be.at.least(4);
    for (const line of commands) expect(line).to.contain(`--rpc ${demo!.rpcUrl} `);
  });

  it("publishes the round's snapshot and a picture for each project", async function () {
    const roundUrl = `${demo!.webUrl}/published/31337/${demo!.round.toLowerCase()}`;
    const snapshot = decodeRoundSnapshot((await (await fetch(`${roundUrl}/snapshot/round.json`)).json()) as never);
    expect(snapshot.round.projectCount).to.equal(277);
    expect(snapshot.districts).to.have.lengthOf(45);
    expect(snapshot.districts.reduce((sum, d) => sum + d.tokens, 0n)).to.be.greaterThan(0n);
    const district = decodeDistrictSnapshot(
      (await (await fetch(`${roundUrl}/snapshot/district-0.json`)).json()) as never,
    );
    expect(district.projects.every((p) => p.metadataState === "verified")).to.equal(true);
    for (const image of new Set(district.projects.map((p) => p.metadata!.image!))) {
      const picture = await fetch(`${roundUrl}/${image}`);
      expect(picture.status, image).to.equal(200);
      expect(picture.headers.get("content-type")).to.match(/^image\/svg\+xml/);
    }
  });

  it("refuses a busy port with a clear message, starting nothing", async function () {
    const error = await startDemo({ rpcPort, publicationBase, deploymentId, out: silentOutput }).catch((e) => e);
    expect(error).to.be.instanceOf(CommandError);
    expect((error as Error).message).to.match(new RegExp(`127\\.0\\.0\\.1:${rpcPort} is busy`));
    expect(existsSync(manifestPath(publicationBase, 31337, demo!.round))).to.equal(true);
  });

  it("stops the node, the resident services and the web server", async function () {
    const web = new URL(demo!.webUrl);
    const services = new URL(demo!.servicesUrl);
    await demo!.stop();
    expect(await portIsFree("127.0.0.1", rpcPort)).to.equal(true);
    expect(await portIsFree("127.0.0.1", Number(web.port))).to.equal(true);
    expect(await portIsFree("127.0.0.1", Number(services.port))).to.equal(true);
    demo = undefined;
  });
});
