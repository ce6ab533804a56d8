// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IRound} from "../interfaces/IRound.sol";

/// @title Signed votes through OpenZeppelin's ERC2771Forwarder (gas comparison only)
/// @notice The alternative to {BallotBox} that `npm run bench:gasless` measures: a round trusts this contract as
/// its ballot box, and this contract trusts the forwarder to append the signer. The forwarder keeps its own
/// nonces, so the token's nonce is read and passed through unchecked.
contract ForwardedVoting is ERC2771Context {
    constructor(address forwarder) ERC2771Context(forwarder) {}

    function reallocate(
        IRound round,
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external {
        address voter = _msgSender();
        round.castFor(voter, round.token().nonceOf(voter), fromBanks, fromAmounts, toBanks, toAmounts);
    }
}
