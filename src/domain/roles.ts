/** The roles a device is enrolled in (design §5). Kept apart so reading a role loads no events. */
export const DEVICE_ROLES = ['evaluator', 'duty_kiosk', 'inspection_tablet'] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];
