// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title OpenZeppelin's forwarder, as it is, named for the comparison (gas comparison only)
contract KopilkaForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("Kopilka") {}
}
