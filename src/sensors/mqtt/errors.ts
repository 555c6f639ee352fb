// Error codes of the mqtt kind: registered when the module loads, so that every code an mqtt Reading
// carries is in the catalogue.

import { registerErrors } from '../../core/errors.ts';

registerErrors({
  MQTT_DISCONNECTED: { message: 'MQTT: not connected to the broker (reconnecting)', http: 502 },
  MQTT_AUTH: { message: 'MQTT: the broker refused the user name or password', http: 502 },
  MQTT_SUBSCRIBE_REFUSED: { message: 'MQTT: the broker refused the subscription', http: 502 },
  MQTT_SILENT: { message: 'MQTT: no message on the topic for longer than allowed', http: 502 },
  MQTT_NOT_LISTENING: { message: 'MQTT: the subscription for this sensor is not running', http: 500 },
});
