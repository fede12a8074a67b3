/**
 * QEMU `-M virt` memory map and device tree, so bare-metal guests written for qemu's virt board run unchanged.
 * Facts from qemu hw/arm/virt.c (base_memmap, create_fdt, fdt_add_*): GICv2 distributor 0x08000000, CPU interface
 * 0x08010000, PL011 0x09000000 (SPI 1), RAM from 0x40000000, timer PPIs 13/14/11/10, the 24 MHz apb-pclk.
 */
import { encodeFdt, cells, type FdtNode } from './fdt';

export const VIRT = {
  GIC_DIST: 0x08000000n,
  GIC_CPU: 0x08010000n,
  UART: 0x09000000n,
  UART_SPI: 1,
  RAM: 0x40000000n,
} as const;

export interface VirtFdtOptions {
  memSize: bigint;
  mpidrs: readonly bigint[];
  bootargs?: string;
  initrd?: { start: bigint; end: bigint };
  gic: boolean;
}

const PHANDLE_GIC = 0x8001;
const PHANDLE_CLK = 0x8000;

/** The device tree of the machine (the subset of qemu's virt DT a bare-metal guest or Linux needs). */
export function virtFdt(o: VirtFdtOptions): Uint8Array {
  const ncpu = o.mpidrs.length;
  const ppiFlags = ((((1 << Math.min(ncpu, 8)) - 1) << 8) | 4) >>> 0;
  const uart = `pl011@${VIRT.UART.toString(16)}`;
  const chosen: Array<readonly [string, ReturnType<typeof cells> | string]> = [['stdout-path', `/${uart}`]];
  if (o.bootargs !== undefined) chosen.push(['bootargs', o.bootargs]);
  if (o.initrd !== undefined) chosen.push(['linux,initrd-start', cells(o.initrd.start)], ['linux,initrd-end', cells(o.initrd.end)]);
  const root: FdtNode = {
    name: '',
    props: [
      ['compatible', 'linux,dummy-virt'],
      ['model', 'kvm-arm virt'],
      ['#address-cells', cells(2)],
      ['#size-cells', cells(2)],
      ...(o.gic ? ([['interrupt-parent', cells(PHANDLE_GIC)]] as const) : []),
    ],
    children: [
      {
        name: 'psci',
        props: [
          ['compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']],
          ['method', 'hvc'],
          ['cpu_suspend', cells(0xc4000001)],
          ['cpu_off', cells(0x84000002)],
          ['cpu_on', cells(0xc4000003)],
          ['migrate', cells(0xc4000005)],
        ],
      },
      { name: `memory@${VIRT.RAM.toString(16)}`, props: [['device_type', 'memory'], ['reg', cells(VIRT.RAM, o.memSize)]] },
      {
        name: 'cpus',
        props: [['#address-cells', cells(1)], ['#size-cells', cells(0)]],
        children: o.mpidrs.map((m, i) => ({
          name: `cpu@${i}`,
          props: [['device_type', 'cpu'], ['compatible', 'arm,cortex-a57'], ['reg', cells(Number(m & 0xffffffn))], ['enable-method', 'psci']],
        })),
      },
      ...(o.gic
        ? [
            {
              name: `intc@${VIRT.GIC_DIST.toString(16)}`,
              props: [
                ['compatible', 'arm,cortex-a15-gic'],
                ['#interrupt-cells', cells(3)],
                ['interrupt-controller', null],
                ['reg', cells(VIRT.GIC_DIST, 0x10000n, VIRT.GIC_CPU, 0x10000n)],
                ['phandle', cells(PHANDLE_GIC)],
              ],
            } as FdtNode,
          ]
        : []),
      {
        name: 'timer',
        props: [
          ['compatible', ['arm,armv8-timer', 'arm,armv7-timer']],
          ['interrupts', cells(1, 13, ppiFlags, 1, 14, ppiFlags, 1, 11, ppiFlags, 1, 10, ppiFlags)],
          ['always-on', null],
        ],
      },
      {
        name: 'apb-pclk',
        props: [['compatible', 'fixed-clock'], ['#clock-cells', cells(0)], ['clock-frequency', cells(24000000)], ['clock-output-names', 'clk24mhz'], ['phandle', cells(PHANDLE_CLK)]],
      },
      {
        name: uart,
        props: [
          ['compatible', ['arm,pl011', 'arm,primecell']],
          ['reg', cells(VIRT.UART, 0x1000n)],
          ['interrupts', cells(0, VIRT.UART_SPI, 4)],
          ['clocks', cells(PHANDLE_CLK, PHANDLE_CLK)],
          ['clock-names', ['uartclk', 'apb_pclk']],
        ],
      },
      { name: 'chosen', props: chosen },
    ],
  };
  return encodeFdt(root);
}
