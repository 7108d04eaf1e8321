# SPDX-License-Identifier: MIT
# iopath-switch: the DPDK virtual switch (sw_*.c, switch_main.c).

# The control socket server/client and its event loop, without the VMM
# core (and its KVM code) that iopath_core would drag in. iopath-ctl
# links it too.
add_library(iopath_ctlsock STATIC
	${CMAKE_SOURCE_DIR}/core/evloop.c
	${CMAKE_SOURCE_DIR}/core/ctl.c
)
target_link_libraries(iopath_ctlsock PUBLIC iopath_log iopath_host_flags
	PkgConfig::URING PkgConfig::JANSSON Threads::Threads)

# The pv backend (pv-rings/backend.cmake defines it once, whichever of the
# switch and pv-rings/CMakeLists.txt is configured first).
if(NOT TARGET iopath_pv_backend)
	include(${CMAKE_SOURCE_DIR}/pv-rings/backend.cmake)
endif()

add_executable(iopath-switch
	switch_main.c
	sw_util.c
	sw_port.c
	sw_fwd.c
	sw_uplink.c
	sw_team.c
	sw_linkwatch.c
	sw_announce.c
	sw_capture.c
	sw_vmport.c
	sw_pvport.c
	sw_stats.c
	sw_ctl.c
)
# libdpdk.pc (shared) leaves out the vdev bus and the bonding PMD, whose
# APIs (rte_vdev_init, rte_eth_bond_*) the switch calls directly
# (MACHINE-NOTES.md). The other PMDs are loaded at run time.
target_link_libraries(iopath-switch PRIVATE
	iopath_vswitch_core iopath_ctlsock iopath_pv_backend
	PkgConfig::DPDK PkgConfig::PCAP
	rte_bus_vdev rte_net_bond
	Threads::Threads)
set_target_properties(iopath-switch PROPERTIES
	RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
