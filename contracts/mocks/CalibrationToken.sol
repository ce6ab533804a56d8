// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A plain ERC-20 token (benchmark only)
/// @notice OpenZeppelin's ERC-20 with its whole supply minted to the deployer: `bench:scale` times plain transfers of
/// it on the same chain in the same run, the floor its votes' throughput is compared with.
contract CalibrationToken is ERC20 {
    constructor(uint256 supply) ERC20("Calibration", "CAL") {
        _mint(msg.sender, supply);
    }
}
