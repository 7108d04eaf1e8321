# SPDX-License-Identifier: MIT
# The pv backend that iopath-switch runs (pv_backend*.c): plain C, no
# DPDK. Its own file so the VMM side (pv-rings/CMakeLists.txt, iopath_pv)
# and the switch can each pull it in; whoever comes first defines it.
if(TARGET iopath_pv_backend)
	return()
endif()

# guest_mem.c is compiled in (as iopath_ctlsock does with evloop.c) so the
# switch gets the one checked GPA translation without iopath_core's KVM.
add_library(iopath_pv_backend STATIC
	${CMAKE_SOURCE_DIR}/pv-rings/pv_backend.c
	${CMAKE_SOURCE_DIR}/pv-rings/pv_backend_evtchn.c
	${CMAKE_SOURCE_DIR}/core/guest_mem.c
)
target_link_libraries(iopath_pv_backend PUBLIC iopath_log iopath_host_flags)
