/** The services' in-memory request limits: bounded, and never reset for everyone by a flood of fresh keys. */
import { expect } from "chai";

import { RateLimit } from "../../scripts/services/limit.js";

describe("RateLimit", function () {
  it("limits each key within its window and lets it go in the next one", function () {
    const limit = new RateLimit(2, 60_000);
    expect([limit.hit("a", 0), limit.hit("a", 1), limit.hit("a", 2)]).to.deep.equal([undefined, undefined, 60]);
    expect(limit.hit("b", 2)).to.equal(undefined);
    expect(limit.hit("a", 60_000)).to.equal(undefined);
  });

  it("holds at most its number of keys, forgetting the least recently seen, never everyone's", function () {
    const limit = new RateLimit(1, 60_000, 100);
    limit.hit("attacker", 0);
    for (let i = 0; i < 1_000; i++) {
      // The attacker keeps sending: its window stays, and so does its limit, whatever fresh keys come.
      expect(limit.hit("attacker", i + 1)).to.be.within(59, 60);
      limit.hit(`fresh-${i}`, i + 1);
    }
    expect(limit.size).to.equal(100);
    expect(limit.hit("fresh-999", 1_001)).to.equal(60);
  });
});
