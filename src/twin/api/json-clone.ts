/**
 * A deep copy of a plain JSON value (API objects, specs, statuses). rfdc copies these about 4×
 * faster than structuredClone, which goes through the serializer built for messaging.
 */
import rfdc from "rfdc";

export const cloneJson: <T>(value: T) => T = rfdc({ proto: false, circles: false });
