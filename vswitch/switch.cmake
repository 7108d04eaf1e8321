# SPDX-License-Identifier: MIT
# iopath-switch: the DPDK virtual switch (sw_*.c, switch_main.c).

add_executable(iopath-switch
	switch_main.c
	sw_util.c
	sw_req.c
	sw_port.c
	sw_fwd.c
	sw_uplink.c
	sw_afpacket.c
	sw_respawn.c
	sw_team.c
	sw_linkwatch.c
	sw_announce.c
	sw_capture.c
	sw_vmport.c
	sw_chanport.c
	sw_pvport.c
	sw_guestmem.c
	sw_sriov.c
	sw_vfrep.c
	sw_stats.c
	sw_ctl.c
)
# libdpdk.pc (shared) leaves out the vdev bus and the bonding PMD, whose
# APIs (rte_vdev_init, rte_eth_bond_*) the switch calls directly
# (MACHINE-NOTES.md). The other PMDs are loaded at run time.
target_link_libraries(iopath-switch PRIVATE
	iopath_vswitch_core iopath_wire iopath_ctlsock iopath_pv_backend
	iopath_sriov iopath_base
	PkgConfig::DPDK PkgConfig::PCAP
	rte_bus_vdev rte_net_bond
	Threads::Threads)
set_target_properties(iopath-switch PROPERTIES
	RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
