/**
 * jcstress test of the wakeup protocol's one race: a subscriber announcing itself parked while a
 * publisher commits and looks for parked subscribers; no wakeup may be lost.
 */
package io.ringbus.stress.wakeup;
