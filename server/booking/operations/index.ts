// Booking's $operations on Appointment, registered with the engine by BookingService.
import type { Operation } from '../../../fhir/index.ts';
import type { BookingService } from '../service.ts';
import { bookOperation } from './book.ts';
import { findOperation } from './find.ts';
import { holdOperation } from './hold.ts';
import { cancelOperation, checkInOperation, rescheduleOperation } from './manage.ts';

export function bookingOperations(service: BookingService): Operation[] {
  return [findOperation(service), holdOperation(service), bookOperation(service), cancelOperation(service), rescheduleOperation(service), checkInOperation(service)];
}
