// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IPiggyBank} from "./interfaces/IPiggyBank.sol";
import {IRound} from "./interfaces/IRound.sol";

/// @title The piggy bank of one project
/// @notice See {IPiggyBank}. Deployed once as the implementation; every project gets an EIP-1167 clone whose
/// immutable arguments are `abi.encodePacked(address round, uint32 projectId, bytes32 metadataHash)`: 56 bytes,
/// packed because each byte of a clone's code costs 200 gas when the project is added.
contract PiggyBank is IPiggyBank {
    /// @inheritdoc IPiggyBank
    function round() public view returns (address round_) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            round_ := shr(96, mload(add(args, 0x20)))
        }
    }

    /// @inheritdoc IPiggyBank
    function projectId() external view returns (uint256 projectId_) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            projectId_ := shr(224, mload(add(args, 0x34)))
        }
    }

    /// @inheritdoc IPiggyBank
    function metadataHash() external view returns (bytes32 metadataHash_) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            metadataHash_ := mload(add(args, 0x38))
        }
    }

    /// @inheritdoc IPiggyBank
    function balance() external view returns (uint256) {
        return IRound(round()).token().balanceOf(address(this));
    }

    /// @inheritdoc IPiggyBank
    function depositOf(address depositor) external view returns (uint256) {
        return IRound(round()).depositOf(address(this), depositor);
    }
}
