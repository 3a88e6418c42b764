# package_xo.tcl: package bm_top as a Vitis RTL kernel (.xo). Run by
# `make xo` / `make xclbin` (bitstreams/alveo/alveo.mk):
#   vivado -mode batch -source package_xo.tcl -tclargs XO KERNEL_XML WORKDIR PART SRC...
# SRC: the RTL in compile order (packages, the preset's bm_cfg_pkg, modules).
# The AXI interfaces, clock, reset and interrupt are inferred from bm_top's
# port names (s_axi_control_*, m_axi_gmem_*, ap_clk, ap_rst_n, interrupt).
# The s_axi_control register map is built from KERNEL_XML (generated from
# spec/regs.json by scripts/gen.py) plus the fixed ap_ctrl_hs block, so no
# offset is written down twice. Not run on the development machines (no
# Vivado there): see docs/bitstreams.md.
if {$argc < 5} {
    puts "usage: vivado -mode batch -source package_xo.tcl -tclargs XO KERNEL_XML WORKDIR PART SRC..."
    exit 1
}
set xo_path    [file normalize [lindex $argv 0]]
set kernel_xml [file normalize [lindex $argv 1]]
set work       [file normalize [lindex $argv 2]]
set part       [lindex $argv 3]
set srcs       {}
foreach f [lrange $argv 4 end] { lappend srcs [file normalize $f] }
set ip_dir     $work/ip

file delete -force $work/project $work/edit $ip_dir
create_project -force bitmill_pack $work/project -part $part
add_files -norecurse $srcs
set_property file_type SystemVerilog [get_files -of_objects [get_filesets sources_1]]
set_property top bm_top [current_fileset]
update_compile_order -fileset sources_1

ipx::package_project -root_dir $ip_dir -vendor bitmill.org -library kernel -taxonomy /KernelIP \
    -import_files -set_current false
ipx::unload_core $ip_dir/component.xml
ipx::edit_ip_in_project -upgrade true -name bitmill_edit -directory $work/edit $ip_dir/component.xml
set core [ipx::current_core]
set_property core_revision 1 $core
foreach up [ipx::get_user_parameters -of_objects $core] {
    ipx::remove_user_parameter [get_property NAME $up] $core
}
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property ipi_drc {ignore_freq_hz true} $core
set_property vitis_drc {ctrl_protocol ap_ctrl_hs} $core
ipx::associate_bus_interfaces -busif s_axi_control -clock ap_clk $core
ipx::associate_bus_interfaces -busif m_axi_gmem -clock ap_clk $core

# ---- register map: ap_ctrl_hs block + the kernel arguments of KERNEL_XML
set fh [open $kernel_xml r]
set xml [read $fh]
close $fh
set mm [ipx::add_memory_map s_axi_control $core]
set_property slave_memory_map_ref s_axi_control [ipx::get_bus_interfaces s_axi_control -of_objects $core]
set ab [ipx::add_address_block reg0 $mm]
set_property range 0x1000 $ab
foreach {name off} {CTRL 0x000 GIE 0x004 IER 0x008 ISR 0x00C} {
    set r [ipx::add_register $name $ab]
    set_property address_offset $off $r
    set_property size 32 $r
}
set nargs 0
foreach {all attrs} [regexp -all -inline {<arg ([^>]*)/>} $xml] {
    regexp {name="([^"]*)"} $attrs -> name
    regexp {offset="([^"]*)"} $attrs -> off
    regexp {size="([^"]*)"} $attrs -> size
    regexp {port="([^"]*)"} $attrs -> port
    set r [ipx::add_register $name $ab]
    set_property address_offset $off $r
    set_property size [expr {$size * 8}] $r
    if {$port ne "s_axi_control"} {
        set_property value $port [ipx::add_register_parameter ASSOCIATED_BUSIF $r]
    }
    incr nargs
}
if {$nargs == 0} {
    puts "ERROR: no <arg> found in $kernel_xml"
    exit 1
}

ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete

package_xo -force -xo_path $xo_path -kernel_name bitmill -ip_directory $ip_dir -kernel_xml $kernel_xml
puts "package_xo: wrote $xo_path"
