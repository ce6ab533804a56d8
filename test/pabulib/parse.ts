import { readPabulibFile } from "@kopilka/core/node";
import { expect } from "chai";

import { parsePabulib, PabulibParseError } from "@kopilka/core/pabulib";
import { editLine, fixture, issuesOf, lineOf } from "./helpers.js";

describe("Pabulib", function () {
  describe("#parsePabulib", function () {
    it("reads an approval election: meta, typed projects and ballots", function () {
      const election = parsePabulib(fixture("approval"));
      expect(election.voteType).to.equal("approval");
      expect(election.budget).to.equal(10000);
      expect(election.meta).to.deep.equal({
        description: "Synthetic district-wide approval election for Kopilka's tests",
        country: "Poland",
        unit: "Testowo",
        subunit: "Osiedle Północ",
        instance: "2021",
        rule: "greedy",
        min_length: "1",
        max_length: "3",
      });
      expect(election.projectColumns).to.deep.equal([
        "project_id",
        "cost",
        "votes",
        "name",
        "category",
        "latitude",
        "longitude",
        "selected",
      ]);
      expect(election.projects).to.have.lengthOf(5);
      expect(election.projects[0]).to.deep.equal({
        id: "1",
        cost: 4000,
        votes: 5,
        name: "Plac zabaw przy ul. Lipowej",
        category: ["public space", "education"],
        latitude: 50.0612,
        longitude: 19.9365,
        selected: 1,
        extra: {},
      });
      expect(election.voteColumns).to.deep.equal(["voter_id", "age", "sex", "vote"]);
      expect(election.votes[2]).to.deep.equal({ voterId: "v3", vote: ["1", "3", "4"], extra: { age: "23", sex: "m" } });
    });

    it("reads cumulative ballots with their points", function () {
      const election = parsePabulib(fixture("cumulative"));
      expect(election.voteType).to.equal("cumulative");
      expect(election.meta.max_sum_points).to.equal("10");
      expect(election.projects.map((p) => p.score)).to.deep.equal([9, 19, 8, 14]);
      expect(election.votes[2]).to.deep.equal({
        voterId: "3",
        vote: ["a1", "a3", "a4"],
        points: [3, 3, 4],
        extra: { voting_method: "internet" },
      });
    });

    it("reads a byte order mark, CRLF, quoted semicolons and quotes, blanks, None and decimal commas", function () {
      const election = parsePabulib(fixture("oddities"));
      expect(election.meta).to.deep.equal({
        description: 'Budżet obywatelski; edycja "Zielona" 2021',
        country: "Poland",
        unit: "Testowo",
        instance: "2021",
      });
      expect(election.budget).to.equal(7000.5);
      expect(election.projects).to.deep.equal([
        {
          id: "1",
          cost: 2500,
          name: 'Park "Zielony"; etap 1',
          category: ["public space", "environmental protection"],
          latitude: 50.05,
          longitude: 19.94,
          selected: 1,
          extra: { district: "Północ" },
        },
        { id: "2", cost: 3000.5, name: "Ścieżka, rowerowa", selected: 2, extra: { district: "Południe" } },
        { id: "3", cost: 1200, name: "Ławki; kosze", selected: 0, extra: {} },
        {
          id: "4",
          cost: 800,
          category: ["sport"],
          latitude: 50.07,
          longitude: 19.95,
          selected: 1,
          extra: { district: "Północ" },
        },
      ]);
      expect(election.votes).to.deep.equal([
        { voterId: "11", vote: ["1", "2"], extra: { age: "30", sex: "f", voting_method: "paper" } },
        { voterId: "12", vote: ["2", "4"], extra: { sex: "m", voting_method: "internet" } },
        { voterId: "13", vote: [], extra: { age: "41", voting_method: "internet" } },
        { voterId: "14", vote: ["1", "3"], extra: { age: "77", sex: "f" } },
      ]);
    });

    it("reads the same election whatever the line ends", function () {
      const crlf = fixture("oddities");
      expect(parsePabulib(crlf.replaceAll("\r\n", "\n"))).to.deep.equal(parsePabulib(crlf));
      expect(parsePabulib(crlf.replaceAll("\r\n", "\r"))).to.deep.equal(parsePabulib(crlf));
    });

    it("keeps line breaks inside quoted fields and counts lines after them", function () {
      const text = editLine(fixture("approval"), "description;", 'description;"two\nlines"');
      expect(parsePabulib(text).meta.description).to.equal("two\nlines");
      const broken = editLine(text, "v4;", "v4;19;f;1,2,9");
      expect(issuesOf(broken)).to.deep.equal([
        { line: lineOf(broken, "v4;"), message: "voter v4 votes for unknown project 9" },
      ]);
    });

    it("reads a file through readPabulibFile and names the file in errors", async function () {
      const url = new URL("../fixtures/pabulib/approval.pb", import.meta.url);
      expect(await readPabulibFile(url.pathname)).to.deep.equal(parsePabulib(fixture("approval")));
      const error = await readPabulibFile(new URL("./helpers.ts", import.meta.url).pathname).catch((e) => e);
      expect(error).to.be.instanceOf(PabulibParseError);
      expect(error.message).to.match(/helpers\.ts:\d+: /);
    });
  });

  describe("#parsePabulib errors", function () {
    const approval = fixture("approval");
    const cumulative = fixture("cumulative");

    /** Each case: a broken file, the line the error must name, and what the message must say. */
    const cases: { name: string; text: string; start: string; message: RegExp }[] = [
      {
        name: "a vote for an unknown project",
        text: editLine(approval, "v2;", "v2;51;m;1,7"),
        start: "v2;",
        message: /voter v2 votes for unknown project 7/,
      },
      {
        name: "a project named twice in one ballot",
        text: editLine(approval, "v2;", "v2;51;m;1,1"),
        start: "v2;",
        message: /voter v2 names project 1 twice/,
      },
      {
        name: "a row with too few fields",
        text: editLine(approval, "3;", "3;3000;3;Ławki"),
        start: "3;",
        message: /expected 8 fields, found 4/,
      },
      {
        name: "a cost that is not a number",
        text: editLine(approval, "4;", "4;dwa tysiące;2;Stojaki;public transit;50;19;1"),
        start: "4;",
        message: /cost of project 4 is not a number/,
      },
      {
        name: "a negative cost",
        text: editLine(approval, "4;", "4;-2000;2;Stojaki;public transit;50;19;1"),
        start: "4;",
        message: /cost of project 4 is negative/,
      },
      {
        name: "a repeated project id",
        text: editLine(
          editLine(approval, "num_projects;", "num_projects;6"),
          "5;",
          "5;1500;1;Szachy;education;50;19;0\n4;1000;0;Kosze;public space;50;19;0",
        ),
        start: "4;1000",
        message: /project 4 appears twice/,
      },
      {
        name: "a repeated voter id",
        text: editLine(approval, "v6;", "v5;44;m;5"),
        start: "v5;44",
        message: /voter v5 appears twice/,
      },
      {
        name: "a missing budget",
        text: editLine(approval, "budget;"),
        start: "META",
        message: /META has no budget/,
      },
      {
        name: "an unknown vote type",
        text: editLine(approval, "vote_type;", "vote_type;plurality"),
        start: "vote_type;",
        message: /vote_type "plurality" is not one of/,
      },
      {
        name: "a vote count that does not match the ballots",
        text: editLine(approval, "num_votes;", "num_votes;7"),
        start: "num_votes;",
        message: /num_votes is 7 but VOTES has 6 rows/,
      },
      {
        name: "a quote that is never closed",
        text: editLine(approval, "v6;", 'v6;44;m;"5'),
        start: "v6;",
        message: /quoted field is never closed/,
      },
      {
        name: "text after a closing quote",
        text: editLine(approval, "3;", '3;3000;3;"Ławki" w parku;public space;50.0590;19.9311;0'),
        start: "3;",
        message: /text after a closing quote/,
      },
      {
        name: "an unquoted semicolon in a META value",
        text: editLine(approval, "description;", "description;Budżet; edycja 2021"),
        start: "description;",
        message: /META rows have 2 fields, found 3/,
      },
      {
        name: "a repeated META key",
        text: editLine(approval, "rule;", "country;Polska"),
        start: "country;Polska",
        message: /META key country repeats line 4/,
      },
      {
        name: "a header without project_id",
        text: editLine(approval, "project_id;", "id;cost;votes;name;category;latitude;longitude;selected"),
        start: "id;cost",
        message: /header has no project_id column/,
      },
      {
        name: "points that do not match the projects",
        text: editLine(cumulative, "3;", "3;a1,a3,a4;3,7;internet"),
        start: "3;",
        message: /voter 3 has 3 projects but 2 points/,
      },
      {
        name: "a cumulative ballot without points",
        text: editLine(cumulative, "4;", "4;a4;;internet"),
        start: "4;",
        message: /voter 4 has no points in a cumulative vote/,
      },
      {
        name: "data before the first section",
        text: "# exported by hand\n" + approval,
        start: "# exported",
        message: /data before the first section/,
      },
    ];

    for (const { name, text, start, message } of cases) {
      it(`reports ${name} with its line`, function () {
        const issues = issuesOf(text);
        expect(issues).to.have.lengthOf(1, JSON.stringify(issues));
        expect(issues[0].line).to.equal(lineOf(text, start));
        expect(issues[0].message).to.match(message);
      });
    }

    it("reports a missing section at the last line", function () {
      const text = approval.slice(0, approval.indexOf("VOTES"));
      expect(issuesOf(text)).to.deep.equal([{ line: lineOf(text, "5;"), message: "no VOTES section" }]);
    });

    it("reports every problem at once, in line order", function () {
      const text = editLine(editLine(approval, "v6;", "v6;44;m;5,8"), "2;", "2;drogo;4;Oświetlenie;sport;50;19;1");
      const issues = issuesOf(text);
      expect(issues.map((i) => i.line)).to.deep.equal([lineOf(text, "2;"), lineOf(text, "v6;")]);
      expect(() => parsePabulib(text)).to.throw(
        PabulibParseError,
        /^line \d+: cost of project 2 .*\nline \d+: voter v6/,
      );
    });
  });
});
