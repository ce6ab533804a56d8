// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IPiggyBank} from "./interfaces/IPiggyBank.sol";
import {IRound} from "./interfaces/IRound.sol";

/// @title The piggy bank of one project
/// @notice See {IPiggyBank}. Deployed once as the implementation; every project gets an EIP-1167 clone whose
/// immutable arguments are `abi.encode(round, projectId, metadataHash)`.
contract PiggyBank is IPiggyBank {
    /// @inheritdoc IPiggyBank
    function round() public view returns (address) {
        (address round_, , ) = _args();
        return round_;
    }

    /// @inheritdoc IPiggyBank
    function projectId() external view returns (uint256) {
        (, uint256 projectId_, ) = _args();
        return projectId_;
    }

    /// @inheritdoc IPiggyBank
    function metadataHash() external view returns (bytes32) {
        (, , bytes32 metadataHash_) = _args();
        return metadataHash_;
    }

    /// @inheritdoc IPiggyBank
    function balance() external view returns (uint256) {
        return IRound(round()).token().balanceOf(address(this));
    }

    /// @inheritdoc IPiggyBank
    function depositOf(address depositor) external view returns (uint256) {
        return IRound(round()).depositOf(address(this), depositor);
    }

    function _args() private view returns (address round_, uint256 projectId_, bytes32 metadataHash_) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (address, uint256, bytes32));
    }
}
